"""Session pages (docs/architecture.md#pages): history, new session, the Assistant and FlowPilot screens,
the command palette's data and the client-side problem report."""

from django.urls import path

from . import views

app_name = "sessions"

urlpatterns = [
    path("sessions/", views.history, name="history"),
    path("sessions/new/", views.session_new, name="new"),
    path("sessions/home-card/", views.home_sessions, name="home_sessions"),
    path("sessions/client-report/", views.client_report, name="client_report"),
    path("sessions/<uuid:session_id>/", views.session_detail, name="detail"),
    path("sessions/<uuid:session_id>/live/", views.session_live, name="live"),
    path("sessions/<uuid:session_id>/regions/", views.session_regions, name="regions"),
    path("sessions/<uuid:session_id>/messages/", views.message_create, name="message_create"),
    path("sessions/<uuid:session_id>/resolve/", views.session_resolve, name="resolve"),
    path("sessions/<uuid:session_id>/draft-runbook/", views.session_draft_runbook, name="draft_runbook"),
    path("sessions/<uuid:session_id>/facts/", views.fact_create, name="fact_create"),
    path("sessions/<uuid:session_id>/facts/<uuid:fact_id>/", views.fact_edit, name="fact_edit"),
    path("sessions/<uuid:session_id>/facts/<uuid:fact_id>/delete/", views.fact_remove, name="fact_remove"),
    path("sessions/<uuid:session_id>/fixes/", views.fix_create, name="fix_create"),
    path("sessions/<uuid:session_id>/fixes/<uuid:fix_id>/status/", views.fix_status, name="fix_status"),
    path("sessions/<uuid:session_id>/flow/answer/", views.flow_answer, name="flow_answer"),
    path("sessions/<uuid:session_id>/flow/back/", views.flow_back, name="flow_back"),
    path("palette.json", views.palette, name="palette"),
]
