"""The role × action table of docs/architecture.md#rules, pinned for every API endpoint.

``MATRIX`` maps (url name, method) to the status each role gets. A test fails when the
router has an endpoint that the table does not name, so a new endpoint cannot ship
without deciding who may call it.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import InvitationFactory
from tests.sessions_app.factories import (
    FactFactory,
    FixFactory,
    FlowFactory,
    FlowSessionFactory,
    SessionFactory,
    small_graph,
)

from .endpoints import api_endpoints
from .handoff_tables import MATRIX as HANDOFF_MATRIX

V, E, A = "viewer", "engineer", "admin"

# (url name, method): ({role: expected status}, request body)
MATRIX = {
    ("me", "get"): ({V: 200, E: 200, A: 200}, None),
    ("account", "get"): ({V: 200, E: 200, A: 200}, None),
    ("account", "patch"): ({V: 403, E: 403, A: 200}, {"unclaimed_alert_minutes": 20}),
    # Every member may watch the queue live, so every member gets websocket tickets.
    ("realtime-ticket", "post"): ({V: 201, E: 201, A: 201}, None),
    ("user-list", "get"): ({V: 200, E: 200, A: 200}, None),
    ("user-detail", "get"): ({V: 200, E: 200, A: 200}, None),
    ("user-detail", "patch"): ({V: 403, E: 403, A: 200}, {"role": "viewer"}),
    ("invitation-list", "get"): ({V: 403, E: 403, A: 200}, None),
    ("invitation-list", "post"): ({V: 403, E: 403, A: 201}, {"email": "new@northwind.test", "role": "engineer"}),
    ("invitation-detail", "get"): ({V: 403, E: 403, A: 200}, None),
    ("invitation-revoke", "post"): ({V: 403, E: 403, A: 200}, None),
    ("invitation-resend", "post"): ({V: 403, E: 403, A: 200}, None),
    # Sessions: everyone reads; engineers and admins write. The targets are Jamie's (the
    # engineer's) own sessions; a colleague's session is tests/api/test_sessions_permissions.py.
    ("session-list", "get"): ({V: 200, E: 200, A: 200}, None),
    ("session-list", "post"): ({V: 403, E: 201, A: 201}, {"mode": "assistant", "title": "Printer offline",
                                                          "problem": "The front-desk printer shows offline."}),
    ("session-detail", "get"): ({V: 200, E: 200, A: 200}, None),
    ("session-detail", "patch"): ({V: 403, E: 200, A: 200}, {"ticket_ref": "T-2001"}),
    ("session-preview", "get"): ({V: 200, E: 200, A: 200}, None),
    ("session-flow-answer", "post"): ({V: 403, E: 200, A: 200}, {"step": "restart", "option": "Yes"}),
    ("session-flow-back", "post"): ({V: 403, E: 200, A: 200}, None),
    ("session-resolve", "post"): ({V: 403, E: 200, A: 200}, {"resolution": "Restarted the print spooler."}),
    # Admins turn a resolved session's resolution into a draft runbook of the account.
    ("session-draft-runbook", "post"): ({V: 403, E: 403, A: 201}, None),
    ("session-message-list", "get"): ({V: 200, E: 200, A: 200}, None),
    ("session-message-list", "post"): ({V: 403, E: 201, A: 201}, {"body": "Called the user back.", "kind": "note"}),
    ("session-fact-list", "get"): ({V: 200, E: 200, A: 200}, None),
    ("session-fact-list", "post"): ({V: 403, E: 201, A: 201}, {"key": "os", "value": "Windows 11"}),
    ("session-fact-detail", "get"): ({V: 200, E: 200, A: 200}, None),
    ("session-fact-detail", "patch"): ({V: 403, E: 200, A: 200}, {"value": "Windows 10"}),
    ("session-fact-detail", "delete"): ({V: 403, E: 204, A: 204}, None),
    ("session-fix-list", "get"): ({V: 200, E: 200, A: 200}, None),
    ("session-fix-list", "post"): ({V: 403, E: 201, A: 201}, {"title": "Restart the print spooler"}),
    ("session-fix-detail", "get"): ({V: 200, E: 200, A: 200}, None),
    ("session-fix-detail", "patch"): ({V: 403, E: 200, A: 200}, {"status": "active"}),
    # The command palette's data: what the page's palette offers, for every member.
    ("palette", "get"): ({V: 200, E: 200, A: 200}, None),
    # Flows: everyone reads the library; admins manage the account's own flows.
    ("flow-list", "get"): ({V: 200, E: 200, A: 200}, None),
    ("flow-list", "post"): ({V: 403, E: 403, A: 201}, {"name": "Scanner offline", "graph": small_graph()}),
    ("flow-detail", "get"): ({V: 200, E: 200, A: 200}, None),
    ("flow-detail", "patch"): ({V: 403, E: 403, A: 200}, {"name": "Printer offline (ours)"}),
    ("flow-export", "get"): ({V: 200, E: 200, A: 200}, None),
    ("flow-import", "post"): ({V: 403, E: 403, A: 200}, {"slug": "scanner-offline", "name": "Scanner offline",
                                                         "version": 1, "graph": small_graph()}),
}

# Escalation Mode's rows live in handoff_tables.MATRIX and run in test_handoffs_matrix.py
# (their targets need escalations in every state); they count as rows of this table.

# Endpoints outside the role table, tested in their own modules.
OUTSIDE_THE_TABLE = {
    ("auth-token", "post"),  # tests/api/test_auth_tokens.py
    ("auth-token-revoke", "post"),  # tests/api/test_auth_tokens.py
    # Any signed-in person's own tokens, platform staff included: tests/api/test_own_tokens.py.
    ("auth-token-list", "get"),
    ("auth-token-detail", "delete"),
    # The holder of an invitation link, signed in or not: tests/api/test_invitation_accept_api.py.
    ("invitation-accept", "get"),
    ("invitation-accept", "post"),
    ("schema", "get"),  # tests/api/test_schema.py
    ("asyncapi", "get"),  # tests/realtime/test_asyncapi.py: public, like the schema
    ("api-docs", "get"),
    ("api-redoc", "get"),
}


def test_every_routed_endpoint_is_in_the_role_table():
    routed = {(name, method) for name, method, _, _ in api_endpoints()}
    tables = set(MATRIX) | set(HANDOFF_MATRIX)
    missing = routed - tables - OUTSIDE_THE_TABLE
    assert not missing, f"endpoints without a row in the role matrix: {sorted(missing)}"
    stale = tables - routed
    assert not stale, f"matrix rows for endpoints that no longer exist: {sorted(stale)}"


@pytest.fixture
def targets(northwind, engineer, senior, admin_user):
    """The URL arguments of each object route: one id, or (session id, item id)."""
    invitation = InvitationFactory(account=northwind, invited_by=admin_user)
    session = SessionFactory(account=northwind, owner=engineer)
    walk = FlowSessionFactory(account=northwind, owner=engineer, flow=FlowFactory(account=northwind))
    walked = FlowSessionFactory(account=northwind, owner=engineer, flow=walk.flow, current_step="res-fixed",
                                path=[{"step": "restart", "option": "Yes", "answered_at": "2026-01-05T09:00:00Z"}])
    fact = FactFactory(session=session, key="os")
    fix = FixFactory(session=session)
    resolved = SessionFactory(account=northwind, owner=engineer, status="resolved", resolved_at=timezone.now(),
                              resolution="Restarted the print spooler.")
    return {"session-draft-runbook": resolved.pk, "user-detail": senior.pk, "invitation-detail": invitation.pk,
            "invitation-revoke": invitation.pk, "invitation-resend": invitation.pk,
            "session-detail": session.pk, "session-preview": session.pk, "session-resolve": session.pk,
            "session-flow-answer": walk.pk, "session-flow-back": walked.pk,
            "session-message-list": session.pk, "session-fact-list": session.pk, "session-fix-list": session.pk,
            "session-fact-detail": (session.pk, fact.pk), "session-fix-detail": (session.pk, fix.pk),
            "flow-detail": walk.flow.pk, "flow-export": walk.flow.pk}


def _url(name, targets):
    if name in targets:
        args = targets[name]
        return reverse(name, args=args if isinstance(args, tuple) else [args])
    return reverse(name)


@pytest.mark.parametrize("role", [V, E, A])
@pytest.mark.parametrize(("name", "method"), list(MATRIX), ids=lambda v: str(v))
def test_role_gets_the_status_the_table_says(api, personas, targets, role, name, method):
    user = {V: personas["viewer"], E: personas["engineer"], A: personas["admin"]}[role]
    expected, body = MATRIX[(name, method)]
    response = getattr(api.as_user(user), method)(_url(name, targets), body, format="json")
    assert response.status_code == expected[role], response.content
    if response.status_code == 403:
        assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(("name", "method"), list(MATRIX), ids=lambda v: str(v))
def test_anonymous_callers_are_told_to_authenticate(api, targets, name, method):
    response = getattr(api, method)(_url(name, targets), {}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(("name", "method"), list(MATRIX), ids=lambda v: str(v))
def test_platform_staff_without_an_account_are_refused(api, targets, name, method, db):
    from tests.factories import UserFactory

    staff = UserFactory(account=None, is_staff=True, role="admin")
    response = getattr(api.as_user(staff), method)(_url(name, targets), {}, format="json")
    assert response.status_code == 403
