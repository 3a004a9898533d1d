"""Helpers of the escalation page tests: a session of Jamie's (the junior) escalated through
the service, as the pages would find it."""

from handoffs import services
from tests.sessions_app.factories import FactFactory, FixFactory, MessageFactory, SessionFactory

HTMX = {"HX-Request": "true"}


def escalated(account, owner, *, actor=None, urgency="normal", note="Stuck after the reinstall", **session):
    fields = {"title": "VPN drops every 10 minutes", "client_name": "Harbor Dental", "ticket_ref": "T-1042"}
    fields.update(session)
    s = SessionFactory(account=account, owner=owner, **fields)
    FactFactory(session=s, key="vpn_client", value="GlobalProtect 6.1")
    FixFactory(session=s, title="Reinstall the VPN client", status="failed", outcome_note="same drops")
    FixFactory(session=s, title="Disable IPv6 on the adapter", status="active")
    MessageFactory(session=s, body="Drops every ten minutes, on Wi-Fi and cable alike.")
    return services.handoff_escalate(session=s, actor=actor or owner, note=note, urgency=urgency)


def claimed(account, owner, senior, **kwargs):
    handoff = escalated(account, owner, **kwargs)
    return services.handoff_claim(handoff=handoff, actor=senior)
