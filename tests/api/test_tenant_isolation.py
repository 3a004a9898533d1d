"""Another account's objects do not exist for you: 404 on every object route, absent from
every list, and no foreign field in any response body."""

import json

import pytest
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Invitation, User
from sessions_app.models import Fact, Fix, Message, TroubleshootingSession
from tests.factories import InvitationFactory, UserFactory
from tests.sessions_app.factories import FactFactory, FixFactory, FlowFactory, FlowSessionFactory, SessionFactory

from .endpoints import api_object_routes
from .handoff_tables import OBJECT_ROUTES as HANDOFF_OBJECT_ROUTES

# Every object route of the API, with a body that would be valid for an admin of the owner.
OBJECT_ROUTES = {
    ("user-detail", "get"): None,
    ("user-detail", "patch"): {"role": "viewer"},
    ("invitation-detail", "get"): None,
    ("invitation-revoke", "post"): None,
    ("invitation-resend", "post"): None,
    ("session-detail", "get"): None,
    ("session-detail", "patch"): {"title": "Taken over"},
    ("session-preview", "get"): None,
    ("session-flow-answer", "post"): {"step": "restart", "option": "Yes"},
    ("session-flow-back", "post"): None,
    ("session-resolve", "post"): {"resolution": "Closed from outside"},
    ("session-draft-runbook", "post"): None,
    ("session-message-list", "get"): None,
    ("session-message-list", "post"): {"body": "Injected", "kind": "note"},
    ("session-fact-list", "get"): None,
    ("session-fact-list", "post"): {"key": "os", "value": "Injected"},
    ("session-fact-detail", "get"): None,
    ("session-fact-detail", "patch"): {"value": "Injected"},
    ("session-fact-detail", "delete"): None,
    ("session-fix-list", "get"): None,
    ("session-fix-list", "post"): {"title": "Injected"},
    ("session-fix-detail", "get"): None,
    ("session-fix-detail", "patch"): {"status": "active"},
    ("flow-detail", "get"): None,
    ("flow-detail", "patch"): {"name": "Taken over"},
    ("flow-export", "get"): None,
    ("auth-token-detail", "delete"): None,
}


@pytest.fixture
def foreign(outsider, outsider_admin):
    member = UserFactory(account=outsider, role="engineer", email="otto@contoso.test", display_name="Otto Foreign")
    invitation = InvitationFactory(account=outsider, invited_by=outsider_admin, email="secret-hire@contoso.test")
    session = SessionFactory(account=outsider, owner=member, title="Contoso payroll server down")
    flow = FlowFactory(account=outsider, name="Contoso secret runbook")
    walk = FlowSessionFactory(account=outsider, owner=member, flow=flow, current_step="res-fixed",
                              path=[{"step": "restart", "option": "Yes", "answered_at": "2026-01-05T09:00:00Z"}])
    fact = FactFactory(session=session, key="os", value="Windows Server 2019")
    fix = FixFactory(session=session)
    return {"user-detail": member, "invitation-detail": invitation, "invitation-revoke": invitation,
            "invitation-resend": invitation, "session-detail": session, "session-preview": session,
            "session-flow-answer": FlowSessionFactory(account=outsider, owner=member, flow=flow),
            "session-flow-back": walk, "session-resolve": session, "session-draft-runbook": session,
            "session-message-list": session,
            "session-fact-list": session, "session-fix-list": session, "session-fact-detail": fact,
            "session-fix-detail": fix, "flow-detail": flow, "flow-export": flow,
            "auth-token-detail": account_services.api_token_create(user=member, name="Otto's laptop").token}


def _args(target):
    """A session's fact or fix lives under its session's URL."""
    return [target.session_id, target.pk] if isinstance(target, (Fact, Fix)) else [target.pk]


def _snapshot(target):
    """The target's row, and for a session also what it holds."""
    row = type(target)._base_manager.filter(pk=target.pk).values().get()
    if isinstance(target, TroubleshootingSession):
        row["held"] = [model.unscoped.filter(session=target).count() for model in (Message, Fact, Fix)]
    return row


def test_every_object_route_is_in_the_isolation_table():
    # Escalation Mode's rows are handoff_tables.OBJECT_ROUTES, run in test_handoffs_isolation.py.
    assert api_object_routes() == set(OBJECT_ROUTES) | set(HANDOFF_OBJECT_ROUTES)


@pytest.mark.parametrize(("name", "method"), list(OBJECT_ROUTES), ids=str)
def test_a_foreign_object_is_not_found_and_unchanged(api, admin_user, foreign, name, method):
    target = foreign[name]
    before = _snapshot(target)
    response = getattr(api.as_user(admin_user), method)(
        reverse(name, args=_args(target)), OBJECT_ROUTES[(name, method)], format="json"
    )
    assert response.status_code == 404
    assert response.json() == {"detail": response.json()["detail"], "code": "not_found"}
    assert _snapshot(target) == before


@pytest.mark.parametrize(("name", "method"), [key for key in OBJECT_ROUTES if key[0].endswith(("fact-detail",
                                                                                                 "fix-detail"))],
                         ids=str)
def test_a_foreign_item_is_not_found_under_our_own_session(api, admin_user, engineer, foreign, name, method):
    ours = SessionFactory(account=admin_user.account, owner=engineer)
    target = foreign[name]
    before = _snapshot(target)
    response = getattr(api.as_user(admin_user), method)(
        reverse(name, args=[ours.pk, target.pk]), OBJECT_ROUTES[(name, method)], format="json"
    )
    assert response.status_code == 404
    assert _snapshot(target) == before


def test_our_item_is_not_found_under_a_foreign_session(api, admin_user, engineer, foreign):
    fact = FactFactory(session=SessionFactory(account=admin_user.account, owner=engineer), key="os")
    response = api.as_user(admin_user).get(reverse("session-fact-detail", args=[foreign["session-detail"].pk,
                                                                                 fact.pk]))
    assert response.status_code == 404


def test_session_and_flow_lists_show_only_the_callers_account_and_the_shared_library(
        api, viewer, engineer, northwind, foreign):
    ours = SessionFactory(account=northwind, owner=engineer, title="Northwind printer offline")
    library = FlowFactory(account=None, name="Shared runbook")
    sessions = api.as_user(viewer).get(reverse("session-list")).json()
    flows = api.as_user(viewer).get(reverse("flow-list")).json()
    assert [row["id"] for row in sessions["results"]] == [str(ours.pk)]
    assert [row["id"] for row in flows["results"]] == [str(library.pk)]
    body = json.dumps([sessions, flows])
    assert "Contoso" not in body and "contoso" not in body


def test_a_session_cannot_be_started_on_a_foreign_flow(api, engineer, foreign):
    response = api.as_user(engineer).post(reverse("session-list"), {"mode": "flow", "flow": str(
        foreign["flow-detail"].pk)}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["flow"][0]["code"] == "does_not_exist"
    assert not TroubleshootingSession.unscoped.filter(owner=engineer).exists()


def test_an_import_never_touches_another_accounts_flow_of_the_same_slug(api, admin_user, foreign):
    theirs = foreign["flow-detail"]
    document = {"slug": theirs.slug, "name": "Ours", "version": theirs.version + 1, "graph": theirs.graph}
    response = api.as_user(admin_user).post(reverse("flow-import"), document, format="json")
    assert response.json()["created"] == [theirs.slug]
    theirs.refresh_from_db()
    assert theirs.name == "Contoso secret runbook"


@pytest.mark.parametrize("name", ["user-list", "invitation-list"])
def test_lists_show_only_the_callers_account(api, admin_user, engineer, foreign, northwind, name):
    InvitationFactory(account=northwind, invited_by=admin_user, email="our-hire@northwind.test")
    response = api.as_user(admin_user).get(reverse(name))
    assert response.status_code == 200
    body = json.dumps(response.json())
    assert "contoso" not in body
    assert str(foreign["user-detail"].pk) not in body
    assert str(foreign["invitation-detail"].pk) not in body
    assert response.json()["count"] >= 1


def test_me_and_account_describe_only_the_callers_account(api, engineer, foreign):
    for name in ("me", "account"):
        body = json.dumps(api.as_user(engineer).get(reverse(name)).json())
        assert "Northwind" in body
        assert "Contoso" not in body and "contoso" not in body


def test_an_admin_cannot_invite_into_another_account_by_sending_its_id(api, admin_user, outsider, foreign):
    response = api.as_user(admin_user).post(
        reverse("invitation-list"),
        {"email": "smuggled@example.com", "role": "admin", "account": str(outsider.pk)},
        format="json",
    )
    assert (response.status_code, response.json()["errors"]["account"][0]["code"]) == (400, "unknown_field")
    assert not Invitation.unscoped.filter(email="smuggled@example.com").exists()


def test_a_foreign_admin_cannot_change_our_people(api, outsider_admin, engineer):
    response = api.as_user(outsider_admin).patch(
        reverse("user-detail", args=[engineer.pk]), {"role": "admin"}, format="json"
    )
    assert response.status_code == 404
    assert User.objects.get(pk=engineer.pk).role == "engineer"
