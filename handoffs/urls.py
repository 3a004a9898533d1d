"""Escalation pages (docs/architecture.md#pages). The session page's escalation panel lives under
``/sessions/<id>/`` beside the session's own URLs; handoffs serves it."""

from django.urls import path

from . import views

app_name = "handoffs"

urlpatterns = [
    path("escalations/", views.queue, name="queue"),
    path("escalations/list/", views.queue_list, name="queue_list"),
    path("escalations/held/", views.home_held, name="home_held"),
    path("escalations/<uuid:handoff_id>/", views.handoff_detail, name="detail"),
    path("escalations/<uuid:handoff_id>/card/", views.queue_card, name="card"),
    path("escalations/<uuid:handoff_id>/status/", views.handoff_status, name="status"),
    path("escalations/<uuid:handoff_id>/claim/", views.handoff_claim, name="claim"),
    path("escalations/<uuid:handoff_id>/release/", views.handoff_release, name="release"),
    path("escalations/<uuid:handoff_id>/return/", views.handoff_return, name="return"),
    path("escalations/<uuid:handoff_id>/resolve/", views.handoff_resolve, name="resolve"),
    path("escalations/<uuid:handoff_id>/cancel/", views.handoff_cancel, name="cancel"),
    path("sessions/<uuid:session_id>/escalate/", views.session_escalate, name="escalate"),
    path("sessions/<uuid:session_id>/escalation/", views.session_escalation, name="session_escalation"),
]
