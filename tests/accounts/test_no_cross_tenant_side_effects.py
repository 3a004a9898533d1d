"""Nothing an account can do tells it whether an address, an object or an activity exists in
another account (issue 8, kind 10). Each test compares the answer about something of the
other account with the answer about something that does not exist at all."""

import re
import uuid

import pytest
from django.urls import reverse

from accounts.models import Invitation
from tests.sessions_app.factories import FlowFactory, SessionFactory, small_graph
from tests.tasks import run_due_tasks

VOLATILE = {"id", "email", "created_at", "expires_at", "sent_at"}


def invite_api(api, admin, email, capture):
    with capture(execute=True):
        return api.as_user(admin).post(reverse("invitation-list"), {"email": email, "role": "engineer"},
                                       format="json")


def stable(body: dict) -> dict:
    return {key: ("<set>" if body[key] else None) if key in VOLATILE else body[key] for key in body}


def test_inviting_an_address_with_a_login_elsewhere_answers_as_for_a_fresh_address(
        api, outsider_admin, outsider, engineer, django_capture_on_commit_callbacks, mailoutbox):
    """The issue's instance: a Contoso admin invites a Northwind engineer's address."""
    fresh = invite_api(api, outsider_admin, "nobody-yet@example.com", django_capture_on_commit_callbacks)
    taken = invite_api(api, outsider_admin, engineer.email.upper(), django_capture_on_commit_callbacks)
    assert (taken.status_code, fresh.status_code) == (201, 201)
    assert stable(taken.json()) == stable(fresh.json())
    run_due_tasks()  # the worker sends both
    listed = api.as_user(outsider_admin).get(reverse("invitation-list")).json()["results"]
    assert {row["status"] for row in listed} == {"pending"}
    assert {bool(row["sent_at"]) for row in listed} == {True}
    # the address's owner is told, without a link that could never work
    notice = next(m for m in mailoutbox if m.to == [engineer.email])
    assert "already has a ResolutionFlow login" in notice.body
    assert "/invitations/" not in notice.body
    engineer.refresh_from_db()
    assert engineer.account_id != outsider.pk


def test_resending_such_an_invitation_answers_as_for_a_fresh_address(
        api, outsider_admin, engineer, django_capture_on_commit_callbacks):
    fresh = invite_api(api, outsider_admin, "nobody-yet@example.com", django_capture_on_commit_callbacks).json()
    taken = invite_api(api, outsider_admin, engineer.email, django_capture_on_commit_callbacks).json()
    client = api.as_user(outsider_admin)
    with django_capture_on_commit_callbacks(execute=True):
        answers = [client.post(reverse("invitation-resend", args=[body["id"]])) for body in (fresh, taken)]
    assert [a.status_code for a in answers] == [200, 200]
    assert stable(answers[0].json()) == stable(answers[1].json())


def test_the_invitation_page_says_the_same_for_both(client, outsider_admin, engineer,
                                                     django_capture_on_commit_callbacks):
    client.force_login(outsider_admin)
    pages = []
    for email in ("nobody-yet@example.com", engineer.email):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/account/invitations/", {"email": email, "role": "engineer"},
                                   headers={"HX-Request": "true"})
        pages.append((response.status_code, re.sub(re.escape(email), "<email>", response.text)))
    assert pages[0][0] == pages[1][0] == 200
    assert "already" not in pages[1][1]
    assert Invitation.objects.for_account(outsider_admin.account).count() == 2


def test_a_member_of_ones_own_account_is_still_refused(api, admin_user, engineer, django_capture_on_commit_callbacks):
    response = invite_api(api, admin_user, engineer.email, django_capture_on_commit_callbacks)
    assert (response.status_code, response.json()["code"]) == (409, "already_member")


def test_a_session_on_another_accounts_flow_is_refused_like_a_missing_flow(api, engineer, outsider):
    foreign = FlowFactory(account=outsider, slug="contoso-only", graph=small_graph())
    client = api.as_user(engineer)

    def start(flow_id):
        return client.post(reverse("session-list"), {"mode": "flow", "flow": str(flow_id), "problem": "x"},
                           format="json")

    foreign_answer, missing_answer = start(foreign.pk), start(uuid.uuid4())
    assert foreign_answer.status_code == missing_answer.status_code == 400
    assert (foreign_answer.json()["detail"].replace(str(foreign.pk), "<id>")
            == missing_answer.json()["detail"].replace(missing_answer.json()["detail"].split('"')[1], "<id>"))


def test_a_flow_slug_used_by_another_account_is_free_in_this_one(api, admin_user, outsider):
    FlowFactory(account=outsider, slug="printer-reset", graph=small_graph())
    response = api.as_user(admin_user).post(reverse("flow-list"), {
        "name": "Printer reset", "slug": "printer-reset", "graph": small_graph()}, format="json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(("route", "parameter"), [("handoff-list", "claimed_by"), ("handoff-list", "requested_by"),
                                                  ("session-list", "owner")])
def test_filtering_by_another_accounts_person_is_like_filtering_by_nobody(
        api, viewer, outsider_admin, outsider, route, parameter):
    SessionFactory(account=outsider, owner=outsider_admin)
    client = api.as_user(viewer)
    foreign = client.get(reverse(route), {parameter: str(outsider_admin.pk)})
    nobody = client.get(reverse(route), {parameter: str(uuid.uuid4())})
    assert (foreign.status_code, foreign.json()) == (nobody.status_code, nobody.json()) == (
        200, {"count": 0, "count_exact": True, "next": None, "previous": None, "results": []})


def test_revoking_another_persons_token_is_like_revoking_a_missing_one(api, engineer, outsider_admin):
    from accounts import services

    foreign = services.api_token_create(user=outsider_admin, name="theirs").token
    client = api.as_user(engineer)
    answers = [client.post(reverse("auth-token-revoke"), {"id": str(token_id)}, format="json")
               for token_id in (foreign.pk, uuid.uuid4())]
    assert [a.status_code for a in answers] == [404, 404]
    assert answers[0].json() == answers[1].json()
    foreign.refresh_from_db()
    assert foreign.revoked_at is None
