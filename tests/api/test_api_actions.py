"""``actions`` on every session and escalation of the API: what the caller may do now, from the
rules the pages use. Each row of the tables below is also tried: every offered action succeeds
through the API, and every withheld one is refused, on a fresh copy of the same state."""

import pytest
from django.urls import reverse
from django.utils import timezone

from handoffs import services as handoff_services
from handoffs.models import HandoffEvent
from handoffs.selectors import ACTIONS as HANDOFF_ACTIONS
from sessions_app.models import TroubleshootingSession
from sessions_app.selectors import SESSION_ACTIONS
from tests.sessions_app.factories import FlowFactory, FlowSessionFactory, SessionFactory

V, E, S, A = "viewer", "engineer", "senior", "admin"

# ---- escalations ------------------------------------------------------------------------------


def open_escalation(people):
    """Jamie (the engineer) escalated his own session."""
    session = SessionFactory(account=people[E].account, owner=people[E], title="VPN drops")
    return handoff_services.handoff_escalate(session=session, actor=people[E], note="Stuck on MTU")


def claimed_escalation(people):
    handoff = open_escalation(people)
    return handoff_services.handoff_claim(handoff=handoff, actor=people[S])


def returned_escalation(people):
    handoff = claimed_escalation(people)
    return handoff_services.handoff_return(handoff=handoff, actor=people[S], note="Set the MTU to 1400")


ESCALATION_STATES = {"open": open_escalation, "claimed": claimed_escalation, "returned": returned_escalation}

# state → {who: actions}
ESCALATION_ACTIONS = {
    "open": {V: [], E: ["cancel"], S: ["claim"], A: ["claim", "cancel"]},
    "claimed": {V: [], E: [], S: ["release", "return", "resolve"], A: ["release", "return", "resolve"]},
    "returned": {V: [], E: [], S: [], A: []},
}

ESCALATION_REQUESTS = {
    "claim": None, "release": None, "return": {"note": "Check the MTU"}, "resolve": {"resolution": "MTU 1400"},
    "cancel": None,
}


@pytest.fixture
def people(viewer, engineer, senior, admin_user):
    return {V: viewer, E: engineer, S: senior, A: admin_user}


@pytest.mark.parametrize("state", list(ESCALATION_STATES))
@pytest.mark.parametrize("who", [V, E, S, A])
def test_an_escalation_offers_what_the_rules_allow_and_each_offer_works(api, people, state, who):
    handoff = ESCALATION_STATES[state](people)
    client = api.as_user(people[who])
    expected = ESCALATION_ACTIONS[state][who]
    detail = client.get(reverse("handoff-detail", args=[handoff.pk])).json()
    assert detail["actions"] == expected
    listed = client.get(reverse("handoff-list"), {"status": state}).json()["results"]
    assert [row["actions"] for row in listed if row["id"] == str(handoff.pk)] == [expected]
    for action in HANDOFF_ACTIONS:
        fresh = ESCALATION_STATES[state](people)
        response = client.post(reverse(f"handoff-{action}", args=[fresh.pk]), ESCALATION_REQUESTS[action],
                               format="json")
        if action in expected:
            assert response.status_code == 200, (action, response.content)
        elif action == "claim" and fresh.status == "claimed" and fresh.claimed_by_id == people[who].pk:
            # The holder's own claim is not offered, and changes nothing (handoffs.services.handoff_claim).
            assert response.status_code == 200 and response.json()["claimed_by"]["id"] == str(people[who].pk)
            assert HandoffEvent.unscoped.filter(handoff=fresh, kind="claimed").count() == 1
        else:
            assert response.status_code in (403, 409), (action, response.status_code)


def test_an_action_response_carries_the_actions_after_the_change(api, people):
    handoff = open_escalation(people)
    claimed = api.as_user(people[S]).post(reverse("handoff-claim", args=[handoff.pk])).json()
    assert (claimed["status"], claimed["actions"]) == ("claimed", ["release", "return", "resolve"])
    released = api.as_user(people[S]).post(reverse("handoff-release", args=[handoff.pk])).json()
    assert (released["status"], released["actions"]) == ("open", ["claim"])


def test_escalating_answers_with_the_escalaters_own_actions(api, people):
    session = SessionFactory(account=people[E].account, owner=people[E])
    created = api.as_user(people[E]).post(reverse("session-handoff", args=[session.pk]),
                                          {"note": "Stuck", "urgency": "high"}, format="json")
    assert created.status_code == 201 and created.json()["actions"] == ["cancel"]


# ---- sessions ---------------------------------------------------------------------------------


def active(people):
    return SessionFactory(account=people[E].account, owner=people[E], title="Printer offline")


def escalated(people):
    session = active(people)
    handoff_services.handoff_escalate(session=session, actor=people[E], note="Stuck")
    return session


def picked_up(people):
    session = active(people)
    handoff = handoff_services.handoff_escalate(session=session, actor=people[E], note="Stuck")
    handoff_services.handoff_claim(handoff=handoff, actor=people[S])
    return session


def resolved(people):
    session = active(people)
    TroubleshootingSession.unscoped.filter(pk=session.pk).update(
        status="resolved", resolution="Restarted the spooler.", resolved_at=timezone.now())
    return session


def flow_at_start(people):
    return FlowSessionFactory(account=people[E].account, owner=people[E], flow=FlowFactory(account=people[E].account))


def flow_at_resolution(people):
    return FlowSessionFactory(account=people[E].account, owner=people[E], flow=FlowFactory(account=people[E].account),
                              current_step="res-fixed",
                              path=[{"step": "restart", "option": "Yes", "answered_at": "2026-01-05T09:00:00Z"}])


SESSION_STATES = {"active": active, "escalated": escalated, "picked_up": picked_up, "resolved": resolved,
                  "flow_at_start": flow_at_start, "flow_at_resolution": flow_at_resolution}

WORK = ["edit", "post_message", "manage_facts", "manage_fixes", "resolve"]
# state → {who: actions}. Jamie owns every session; Sam picks up the escalated one.
SESSION_ACTIONS_TABLE = {
    "active": {V: [], E: [*WORK, "escalate"], S: ["escalate"], A: [*WORK, "escalate"]},
    "escalated": {V: [], E: WORK, S: [], A: WORK},
    "picked_up": {V: [], E: WORK, S: WORK, A: WORK},
    "resolved": {V: [], E: ["edit"], S: [], A: ["edit", "draft_runbook"]},
    "flow_at_start": {V: [], E: [*WORK[:4], "flow_answer", "resolve", "escalate"], S: ["escalate"],
                      A: [*WORK[:4], "flow_answer", "resolve", "escalate"]},
    "flow_at_resolution": {V: [], E: [*WORK[:4], "flow_back", "resolve", "escalate"], S: ["escalate"],
                           A: [*WORK[:4], "flow_back", "resolve", "escalate"]},
}


def try_session_action(client, session, action):
    """The request each action stands for; returns the response."""
    pk = session.pk
    requests = {
        "edit": ("patch", reverse("session-detail", args=[pk]), {"ticket_ref": "T-2001"}),
        "post_message": ("post", reverse("session-message-list", args=[pk]), {"body": "Called back", "kind": "note"}),
        "manage_facts": ("post", reverse("session-fact-list", args=[pk]), {"key": "os", "value": "Windows 11"}),
        "manage_fixes": ("post", reverse("session-fix-list", args=[pk]), {"title": "Restart the spooler"}),
        "flow_answer": ("post", reverse("session-flow-answer", args=[pk]),
                        {"step": session.current_step or "restart", "option": "Yes"}),
        "flow_back": ("post", reverse("session-flow-back", args=[pk]), None),
        "resolve": ("post", reverse("session-resolve", args=[pk]), {"resolution": "Restarted the spooler."}),
        "escalate": ("post", reverse("session-handoff", args=[pk]), {"note": "Stuck", "urgency": "normal"}),
        "draft_runbook": ("post", reverse("session-draft-runbook", args=[pk]), None),
    }
    method, url, body = requests[action]
    return getattr(client, method)(url, body, format="json")


def test_the_session_table_names_every_action():
    assert set(SESSION_ACTIONS) == {a for row in SESSION_ACTIONS_TABLE.values() for v in row.values() for a in v}


@pytest.mark.parametrize("state", list(SESSION_STATES))
@pytest.mark.parametrize("who", [V, E, S, A])
def test_a_session_offers_what_the_rules_allow_and_each_offer_works(api, people, state, who):
    session = SESSION_STATES[state](people)
    client = api.as_user(people[who])
    expected = SESSION_ACTIONS_TABLE[state][who]
    assert client.get(reverse("session-detail", args=[session.pk])).json()["actions"] == expected
    listed = client.get(reverse("session-list"), {"page_size": 200}).json()["results"]
    assert [row["actions"] for row in listed if row["id"] == str(session.pk)] == [expected]
    for action in SESSION_ACTIONS:
        fresh = SESSION_STATES[state](people)
        response = try_session_action(client, fresh, action)
        if action in expected:
            assert response.status_code in (200, 201), (action, response.content)
        else:
            # 403 (the rules), 409 (the state), or 400 for a step that has no options to answer.
            assert response.status_code in (400, 403, 409), (action, response.status_code, response.content)


# ---- a session's live escalation ---------------------------------------------------------------


def test_a_session_shows_its_live_escalation_until_it_closes(api, people):
    session = active(people)
    read = lambda: api.as_user(people[V]).get(reverse("session-detail", args=[session.pk])).json()  # noqa: E731
    assert read()["escalation"] is None
    handoff = handoff_services.handoff_escalate(session=session, actor=people[E], note="Stuck")
    assert read()["escalation"] == {"id": str(handoff.pk), "status": "open"}
    handoff_services.handoff_claim(handoff=handoff, actor=people[S])
    assert read()["escalation"] == {"id": str(handoff.pk), "status": "claimed"}
    listed = api.as_user(people[V]).get(reverse("session-list")).json()["results"]
    assert [row["escalation"] for row in listed] == [{"id": str(handoff.pk), "status": "claimed"}]
    handoff_services.handoff_return(handoff=handoff, actor=people[S], note="Set the MTU")
    assert read()["escalation"] is None


# ---- the escalations of one session ---------------------------------------------------------------


def test_the_escalations_list_filters_by_session(api, people, outsider, outsider_admin):
    session, other = active(people), active(people)
    first = handoff_services.handoff_escalate(session=session, actor=people[E], note="Stuck")
    handoff_services.handoff_cancel(handoff=first, actor=people[E])
    second = handoff_services.handoff_escalate(session=session, actor=people[E], note="Stuck again")
    handoff_services.handoff_escalate(session=other, actor=people[E], note="Elsewhere")
    client = api.as_user(people[V])
    ids = lambda **params: [row["id"] for row in client.get(reverse("handoff-list"), params).json()["results"]]  # noqa: E731
    # A session's escalations, closed ones too; status narrows them as on the queue.
    assert sorted(ids(session=str(session.pk))) == sorted([str(first.pk), str(second.pk)])
    assert ids(session=str(session.pk), status="cancelled") == [str(first.pk)]
    assert ids(session=str(session.pk), status="open") == [str(second.pk)]
    # Another account's session finds nothing, as an unknown one does.
    foreign = SessionFactory(account=outsider, owner=outsider_admin)
    handoff_services.handoff_escalate(session=foreign, actor=outsider_admin, note="Theirs")
    assert ids(session=str(foreign.pk)) == []


def test_a_session_filter_that_is_not_an_id_is_a_400(api, people):
    response = api.as_user(people[V]).get(reverse("handoff-list"), {"session": "yesterday"})
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["parameter"]) == ("invalid_filter", "session")


# ---- the account events feed ------------------------------------------------------------------


def test_the_events_feed_gives_each_reader_their_own_actions(api, people):
    handoff = open_escalation(people)
    handoff_services.handoff_claim(handoff=handoff, actor=people[S])
    for who, expected in ((V, []), (E, []), (S, ["release", "return", "resolve"]),
                          (A, ["release", "return", "resolve"])):
        events = api.as_user(people[who]).get(reverse("account-events")).json()["results"]
        rest = api.as_user(people[who]).get(reverse("handoff-detail", args=[handoff.pk])).json()
        assert [event["handoff"]["actions"] for event in events] == [expected] * len(events) == [rest["actions"]] * 2


# ---- the API offers what the session page shows ---------------------------------------------------

# The page's control for each session action. ``edit`` has no page control (title and ticket
# are changed through the API only), nor have facts and fixes on a FlowPilot page (its layout
# is the step, the path and notes; the API lets a client keep facts and fixes there too).
PAGE_CONTROLS = {
    "post_message": ("composer-send", "note-submit"),
    "manage_facts": ("fact-add-submit",),
    "manage_fixes": ("fix-propose-submit",),
    "flow_answer": ("flow-option-1",),
    "flow_back": ("flow-back",),
    "resolve": ("resolve-submit", "claim-resolve"),
    "escalate": ("escalate-open",),
    "draft_runbook": ("draft-runbook",),
}


@pytest.mark.parametrize("state", list(SESSION_STATES))
@pytest.mark.parametrize("who", [V, E, S, A])
def test_the_session_page_shows_a_control_for_exactly_the_actions_the_api_offers(api, client, people, state, who):
    session = SESSION_STATES[state](people)
    offered = set(api.as_user(people[who]).get(reverse("session-detail", args=[session.pk])).json()["actions"])
    client.force_login(people[who])
    page = client.get(reverse("sessions:detail", args=[session.pk])).content.decode()
    shown = {action for action, testids in PAGE_CONTROLS.items()
             if any(f'data-testid="{testid}"' in page for testid in testids)}
    without_control = {"edit"} | ({"manage_facts", "manage_fixes"} if state.startswith("flow") else set())
    assert shown == offered - without_control
