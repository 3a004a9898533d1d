"""Routes of the sessions API. Sessions and flows use a router; the items of one session are
nested under it by explicit paths (``session-fact-detail`` and so on)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(use_regex_path=False)
router.register("sessions", views.SessionViewSet, basename="session")
router.register("flows", views.FlowViewSet, basename="flow")

LIST = {"get": "list", "post": "create"}

urlpatterns = [
    path("palette/", views.PaletteViewSet.as_view({"get": "retrieve"}), name="palette"),
    *router.urls,
    path("sessions/<uuid:session_id>/messages/", views.MessageViewSet.as_view(LIST), name="session-message-list"),
    path("sessions/<uuid:session_id>/facts/", views.FactViewSet.as_view(LIST), name="session-fact-list"),
    path("sessions/<uuid:session_id>/facts/<uuid:pk>/",
         views.FactViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
         name="session-fact-detail"),
    path("sessions/<uuid:session_id>/fixes/", views.FixViewSet.as_view(LIST), name="session-fix-list"),
    path("sessions/<uuid:session_id>/fixes/<uuid:pk>/",
         views.FixViewSet.as_view({"get": "retrieve", "patch": "partial_update"}), name="session-fix-detail"),
]
