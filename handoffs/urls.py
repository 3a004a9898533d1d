"""Escalation pages (docs/architecture.md#pages). The session page's escalation panel lives under
``/sessions/<id>/`` beside the session's own URLs; handoffs serves it."""

from django.urls import path

from . import views, webhook_views
from .metrics import views as metrics_views

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
    # Account Management's webhook section (added to /account/ by a registration, apps.py).
    path("account/webhook/", webhook_views.section, name="webhook_section"),
    path("account/webhook/url/", webhook_views.webhook_url, name="webhook_url"),
    path("account/webhook/rotate/", webhook_views.webhook_rotate, name="webhook_rotate"),
    path("account/webhook/test/", webhook_views.webhook_test, name="webhook_test"),
    path("account/deliveries/<uuid:delivery_id>/resend/", webhook_views.delivery_resend, name="delivery_resend"),
    path("metrics/", metrics_views.metrics_page, name="metrics"),
    path("metrics/export.csv", metrics_views.metrics_csv, name="metrics_csv"),
    path("metrics/baseline/", metrics_views.baseline_record, name="baseline_record"),
    path("metrics/baseline/<uuid:sample_id>/delete/", metrics_views.baseline_delete, name="baseline_delete"),
]
