from django.urls import path
from rest_framework.routers import SimpleRouter

from . import metrics, views

router = SimpleRouter()
# Only the detail action ``handoff`` is routed here: sessions/<id>/handoff/ (name session-handoff).
router.register("sessions", views.SessionHandoffViewSet, basename="session")
router.register("handoffs", views.HandoffViewSet, basename="handoff")
router.register("baseline-samples", views.BaselineSampleViewSet, basename="baselinesample")

urlpatterns = [
    path("metrics/", metrics.MetricsViewSet.as_view({"get": "retrieve"}), name="handoff-metrics"),
    path("events/", views.AccountEventsViewSet.as_view({"get": "feed"}), name="account-events"),
    *router.urls,
]
