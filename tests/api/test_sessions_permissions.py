"""Who may work in a session through the API (docs/architecture.md#rules): the owner, an admin, and the
engineer holding the claim of its open escalation. Colleagues and viewers read."""

import pytest
from django.urls import reverse

from accounts.models import Role
from sessions_app.models import Message, SessionStatus, TroubleshootingSession
from tests.factories import UserFactory
from tests.sessions_app.factories import FactFactory, FixFactory, FlowFactory, FlowSessionFactory, SessionFactory


@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer)


@pytest.fixture
def bystander(northwind):
    return UserFactory(account=northwind, role=Role.ENGINEER, email="bo@northwind.test", display_name="Bo Bystander")


def claim(session, engineer):
    """What the handoffs claim does; the database wants status and assignee in one UPDATE."""
    TroubleshootingSession.unscoped.filter(pk=session.pk).update(status=SessionStatus.ESCALATED, assignee=engineer)


def writes(session, fact, fix):
    """One request of every write an engineer can make in a session."""
    walk_only = {"step": "restart", "option": "Yes"}
    return [
        ("patch", reverse("session-detail", args=[session.pk]), {"ticket_ref": "T-1"}),
        ("post", reverse("session-message-list", args=[session.pk]), {"body": "Looking", "kind": "note"}),
        ("post", reverse("session-fact-list", args=[session.pk]), {"key": "ip", "value": "10.0.0.5"}),
        ("patch", reverse("session-fact-detail", args=[session.pk, fact.pk]), {"value": "Windows 10"}),
        ("post", reverse("session-fix-list", args=[session.pk]), {"title": "Flush DNS"}),
        ("patch", reverse("session-fix-detail", args=[session.pk, fix.pk]), {"status": "active"}),
        ("post", reverse("session-flow-answer", args=[session.pk]), walk_only),
        ("delete", reverse("session-fact-detail", args=[session.pk, fact.pk]), None),
        ("post", reverse("session-resolve", args=[session.pk]), {"resolution": "Done"}),
    ]


@pytest.fixture
def walk(northwind, engineer):
    walk = FlowSessionFactory(account=northwind, owner=engineer, flow=FlowFactory(account=northwind))
    return walk, FactFactory(session=walk, key="os"), FixFactory(session=walk)


@pytest.mark.parametrize("who", ["senior", "viewer"])
def test_a_colleague_and_a_viewer_are_refused_every_write(api, walk, senior, viewer, who):
    client = api.as_user({"senior": senior, "viewer": viewer}[who])
    for method, url, body in writes(*walk):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, (url, response.content)
        assert response.json()["code"] == "permission_denied"
    session = walk[0]
    session.refresh_from_db()
    assert (session.status, session.ticket_ref, session.current_step) == ("active", "", "restart")


@pytest.mark.parametrize("who", ["engineer", "admin_user"])
def test_the_owner_and_an_admin_may_make_every_write(api, walk, request, who):
    client = api.as_user(request.getfixturevalue(who))
    for method, url, body in writes(*walk):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code in (200, 201, 204), (url, response.content)


def test_the_engineer_holding_the_claim_may_post_and_another_engineer_may_not(api, session, senior, bystander):
    claim(session, senior)
    url = reverse("session-message-list", args=[session.pk])
    response = api.as_user(senior).post(url, {"body": "Picked this up, checking the mailbox", "kind": "note"},
                                        format="json")
    assert response.status_code == 201, response.content
    assert response.json()["message"]["author"]["id"] == str(senior.pk)
    refused = api.as_user(bystander).post(url, {"body": "Me too", "kind": "note"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert list(Message.objects.for_account(session.account).filter(session=session)
                .values_list("author", flat=True)) == [senior.pk]


def test_the_claim_holder_sees_that_they_may_write(api, session, senior, bystander):
    claim(session, senior)
    url = reverse("session-detail", args=[session.pk])
    body = api.as_user(senior).get(url).json()
    assert (body["status"], body["assignee"]["id"], body["can_write"]) == ("escalated", str(senior.pk), True)
    assert api.as_user(bystander).get(url).json()["can_write"] is False


def test_the_claim_holder_may_make_every_write(api, walk, senior):
    claim(walk[0], senior)
    client = api.as_user(senior)
    for method, url, body in writes(*walk):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code in (200, 201, 204), (url, response.content)


def test_write_access_ends_when_the_claim_is_released(api, session, senior):
    claim(session, senior)
    TroubleshootingSession.unscoped.filter(pk=session.pk).update(status=SessionStatus.ACTIVE, assignee=None)
    response = api.as_user(senior).post(reverse("session-message-list", args=[session.pk]),
                                        {"body": "Still here?", "kind": "note"}, format="json")
    assert response.status_code == 403


def test_an_engineer_may_start_sessions_but_only_for_themselves(api, engineer, senior):
    response = api.as_user(engineer).post(reverse("session-list"), {"mode": "assistant", "title": "Printer",
                                                                    "owner": str(senior.pk)}, format="json")
    assert (response.status_code, response.json()["errors"]["owner"][0]["code"]) == (400, "unknown_field")
    response = api.as_user(engineer).post(reverse("session-list"), {"mode": "assistant", "title": "Printer"},
                                          format="json")
    assert response.json()["owner"]["id"] == str(engineer.pk)
