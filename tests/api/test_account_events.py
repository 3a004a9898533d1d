"""``GET /api/v1/events/?after=<seq>``: the account's escalation events after a seq, each one
exactly the websocket message (``handoffs.events.event_message``) with the escalation's
current state; only the caller's account; bad ``after``/``limit`` are a 400 with a code."""

import json

import pytest
from django.urls import reverse

from handoffs import services
from handoffs.events import event_message, message_for_reader
from handoffs.models import HandoffEvent
from tests.factories import UserFactory
from tests.sessions_app.factories import SessionFactory

URL = reverse("account-events")


@pytest.fixture
def history(northwind, engineer, senior):
    """Four events of Northwind: two escalations, one claimed, one cancelled."""
    first = services.handoff_escalate(session=SessionFactory(account=northwind, owner=engineer, title="VPN drops"),
                                      actor=engineer, note="Stuck on the tunnel")
    second = services.handoff_escalate(session=SessionFactory(account=northwind, owner=engineer, title="Printer"),
                                       actor=engineer, note="Spooler")
    services.handoff_claim(handoff=first, actor=senior)
    services.handoff_cancel(handoff=second, actor=engineer, note="Sorted it myself")
    return {"first": first, "second": second}


@pytest.fixture
def contoso_history(outsider):
    otto = UserFactory(account=outsider, role="engineer", email="otto@contoso.test")
    return services.handoff_escalate(session=SessionFactory(account=outsider, owner=otto, title="Contoso payroll"),
                                     actor=otto, note="Contoso secret")


def test_events_come_oldest_first_with_the_newest_seq(api, viewer, history):
    body = api.as_user(viewer).get(URL).json()
    assert [(e["event"], e["handoff"]["id"]) for e in body["results"]] == [
        ("handoff.created", str(history["first"].pk)), ("handoff.created", str(history["second"].pk)),
        ("handoff.claimed", str(history["first"].pk)), ("handoff.cancelled", str(history["second"].pk))]
    assert [e["seq"] for e in body["results"]] == [1, 2, 3, 4]
    assert (body["last_seq"], body["has_more"]) == (4, False)


def test_each_event_is_the_websocket_message_with_the_current_state(api, viewer, history):
    body = api.as_user(viewer).get(URL).json()
    events = HandoffEvent.unscoped.filter(account=viewer.account).order_by("seq")
    for listed, event in zip(body["results"], events, strict=True):
        # The shared message, with the reader's own actions (as the reader's socket gives it).
        expected = message_for_reader(event_message(event, type(event.handoff).unscoped.get(pk=event.handoff_id)),
                                      viewer)
        # age_seconds of an open escalation grows between the two reads; everything else is equal.
        for message in (listed, expected):
            message["handoff"].pop("age_seconds")
        assert listed == expected
    created = body["results"][0]
    assert created["handoff"]["status"] == "claimed"  # current, not the state at creation


def test_after_gives_only_later_events(api, viewer, history):
    body = api.as_user(viewer).get(URL, {"after": 2}).json()
    assert [e["seq"] for e in body["results"]] == [3, 4]
    caught_up = api.as_user(viewer).get(URL, {"after": 4}).json()
    assert caught_up == {"results": [], "last_seq": 4, "has_more": False}


def test_limit_pages_through_with_has_more(api, viewer, history):
    seen, after = [], 0
    while True:
        body = api.as_user(viewer).get(URL, {"after": after, "limit": 3}).json()
        seen += [e["seq"] for e in body["results"]]
        if not body["has_more"]:
            break
        after = body["results"][-1]["seq"]
    assert seen == [1, 2, 3, 4]
    assert api.as_user(viewer).get(URL, {"limit": 4}).json()["has_more"] is False
    assert api.as_user(viewer).get(URL, {"limit": 3}).json()["has_more"] is True


@pytest.mark.parametrize(("query", "parameter"), [
    ({"after": "-1"}, "after"), ({"after": "x"}, "after"), ({"after": "1.5"}, "after"),
    ({"after": "9" * 30}, "after"), ({"limit": "0"}, "limit"), ({"limit": "201"}, "limit"),
    ({"limit": "ten"}, "limit"),
])
def test_a_bad_after_or_limit_is_a_400_with_a_code(api, viewer, history, query, parameter):
    response = api.as_user(viewer).get(URL, query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_filter"
    assert parameter in body["errors"] and body["detail"]


@pytest.mark.parametrize("parameter", ["page", "colour", "seq"])
def test_a_parameter_it_does_not_read_is_a_400_naming_it(api, viewer, history, parameter):
    response = api.as_user(viewer).get(URL, {parameter: "2"})
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_filter" and response.json()["parameter"] == parameter


def test_another_accounts_events_never_appear(api, viewer, history, contoso_history):
    body = api.as_user(viewer).get(URL, {"limit": 200}).json()
    assert len(body["results"]) == 4 and body["last_seq"] == 4
    text = json.dumps(body)
    assert "Contoso" not in text and "contoso" not in text and str(contoso_history.pk) not in text


def test_an_account_without_events_has_none(api, outsider_admin, history):
    assert api.as_user(outsider_admin).get(URL).json() == {"results": [], "last_seq": 0, "has_more": False}


def test_the_query_count_does_not_grow_with_the_events(api, viewer, engineer, northwind, history,
                                                       django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        few = api.as_user(viewer).get(URL)
    for n in range(20):
        services.handoff_escalate(session=SessionFactory(account=northwind, owner=engineer, title=f"Case {n}"),
                                  actor=engineer, note="Stuck")
    with django_assert_max_num_queries(2):
        many = api.as_user(viewer).get(URL, {"limit": 200})
    assert len(few.json()["results"]) == 4 and len(many.json()["results"]) == 24
