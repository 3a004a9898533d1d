"""Pages that move under the reader (issue 8, kind 7): every list has a deterministic order
ending in a unique key, and the lists that change while they are read (sessions, the queue,
a transcript) offer a cursor that never shows a row twice nor skips one."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from handoffs import services as handoff_services
from handoffs.models import Handoff
from sessions_app.models import TroubleshootingSession
from tests.api.endpoints import api_endpoints
from tests.factories import InvitationFactory
from tests.handoffs.escalations import escalated
from tests.sessions_app.factories import MessageFactory, SessionFactory


def walk(client, url, params, between=None):
    """Every row of a cursor walk; ``between(page_number)`` runs after each page."""
    seen, number = [], 0
    response = client.get(url, {**params, "cursor": ""})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"next", "results"}
        seen += [row["id"] for row in body["results"]]
        number += 1
        if between:
            between(number)
        if not body["next"]:
            return seen
        response = client.get(body["next"])


def test_the_issue_instance_a_message_on_page_two_moves_nothing_in_a_cursor_walk(api, engineer, northwind):
    sessions = [SessionFactory(account=northwind, owner=engineer, title=f"S{i}") for i in range(12)]
    client = api.as_user(engineer)
    page_two = client.get(reverse("session-list"), {"page_size": 5, "cursor": ""}).json()
    first_ids = [row["id"] for row in page_two["results"]]
    on_page_two = next(s for s in sessions if str(s.pk) not in first_ids)

    def post_a_message(number):
        if number == 1:
            response = client.post(reverse("session-message-list", kwargs={"session_id": on_page_two.pk}),
                                   {"body": "Still offline after the spooler restart", "kind": "note"},
                                   format="json")
            assert response.status_code == 201, response.content

    seen = walk(client, reverse("session-list"), {"page_size": 5}, between=post_a_message)
    assert len(seen) == len(set(seen)) == 12
    assert set(seen) == {str(s.pk) for s in sessions}


def test_with_page_numbers_the_same_message_does_move_a_row(api, engineer, northwind):
    """Why the cursor exists: the page-number walk is ordered by activity."""
    sessions = [SessionFactory(account=northwind, owner=engineer) for _ in range(6)]
    client = api.as_user(engineer)
    first = [row["id"] for row in client.get(reverse("session-list"), {"page_size": 3}).json()["results"]]
    later = next(s for s in sessions if str(s.pk) not in first)
    client.post(reverse("session-message-list", kwargs={"session_id": later.pk}),
                {"body": "bump", "kind": "note"}, format="json")
    second = [row["id"] for row in client.get(reverse("session-list"), {"page_size": 3, "page": 2}).json()["results"]]
    assert len(set(first + second)) < 6  # one shown twice, one never: the reported fault


def test_the_queue_walked_by_cursor_while_escalations_come_and_go(api, viewer, engineer, senior, northwind):
    handoffs = [escalated(northwind, engineer, urgency=("high" if i % 3 == 0 else "normal")) for i in range(9)]
    client = api.as_user(viewer)
    first = [row["id"] for row in client.get(reverse("handoff-list"), {"page_size": 3, "cursor": ""}).json()["results"]]
    gone = Handoff.objects.for_account(northwind).get(pk=first[0])
    arrived = []

    def change_the_queue(number):
        if number == 1:
            handoff_services.handoff_cancel(handoff=gone, actor=engineer, note="fixed it myself")
            arrived.append(escalated(northwind, engineer, urgency="critical"))

    seen = walk(client, reverse("handoff-list"), {"page_size": 3}, between=change_the_queue)
    assert len(seen) == len(set(seen))
    throughout = {str(h.pk) for h in handoffs} - {str(gone.pk)}
    assert throughout <= set(seen)


def test_a_transcript_walked_by_cursor_while_messages_arrive(api, engineer, northwind):
    session = SessionFactory(account=northwind, owner=engineer)
    at = timezone.now() - dt.timedelta(hours=1)
    messages = [MessageFactory(session=session, body=f"m{i}", created_at=at) for i in range(7)]  # one instant
    client = api.as_user(engineer)
    url = reverse("session-message-list", kwargs={"session_id": session.pk})

    def post(number):
        client.post(url, {"body": f"new after page {number}", "kind": "note"}, format="json")

    seen = walk(client, url, {"page_size": 2}, between=post)
    assert len(seen) == len(set(seen))
    assert {str(m.pk) for m in messages} <= set(seen)


@pytest.mark.parametrize("model_rows", ["sessions", "invitations"])
def test_rows_that_tie_on_the_order_are_each_shown_once_by_page_number(api, admin_user, northwind, model_rows):
    when = timezone.now() - dt.timedelta(days=1)
    if model_rows == "sessions":
        rows = [SessionFactory(account=northwind, owner=admin_user) for _ in range(7)]
        TroubleshootingSession.objects.for_account(northwind).update(updated_at=when, created_at=when)
        url = reverse("session-list")
    else:
        rows = [InvitationFactory(account=northwind, invited_by=admin_user, email=f"i{i}@example.com",
                                  created_at=when) for i in range(7)]
        url = reverse("invitation-list")
    client = api.as_user(admin_user)
    seen = []
    for page in range(1, 8):
        seen += [row["id"] for row in client.get(url, {"page_size": 1, "page": page}).json()["results"]]
    assert sorted(seen) == sorted(str(row.pk) for row in rows)


def test_every_paginated_list_ends_its_order_with_a_unique_key(rf, admin_user):
    """The tail is added by the pagination every list uses; no list opts out of it."""
    from rest_framework.settings import api_settings

    from resolutionflow.api.pagination import PageNumberPagination

    assert api_settings.DEFAULT_PAGINATION_CLASS is PageNumberPagination
    for name, method, view, action in api_endpoints():
        if action == "list":
            assert getattr(view, "pagination_class", PageNumberPagination) is PageNumberPagination, name


@pytest.mark.parametrize("cursor", ["x", "bm90LWpzb24", "WzEsMl0", "WyJub3QtYS1kYXRlIiwiYWJjIl0"])
def test_a_cursor_we_did_not_give_out_is_a_400(api, engineer, cursor):
    response = api.as_user(engineer).get(reverse("session-list"), {"cursor": cursor})
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["parameter"]) == ("invalid_filter", "cursor")


def test_a_list_without_a_cursor_says_so(api, engineer):
    response = api.as_user(engineer).get(reverse("user-list"), {"cursor": ""})
    assert (response.status_code, response.json()["code"]) == (400, "invalid_filter")


def test_page_and_cursor_together_are_refused(api, engineer):
    response = api.as_user(engineer).get(reverse("session-list"), {"cursor": "", "page": 1})
    assert (response.status_code, response.json()["code"]) == (400, "invalid_filter")
