"""Escalation services: every transition from every state, who may do it, and the
session it drives."""

import threading

import pytest
from django.db import connection

from accounts.errors import ServiceError
from handoffs import services
from handoffs.models import EventKind, Handoff, HandoffEvent, HandoffStatus
from resolutionflow.errors import http_status
from sessions_app import services as session_services
from sessions_app.models import Message, SessionStatus, TroubleshootingSession
from tests.factories import UserFactory
from tests.sessions_app.factories import FactFactory, FixFactory, SessionFactory


@pytest.fixture
def session(northwind, engineer):
    s = SessionFactory(account=northwind, owner=engineer, title="VPN drops every 10 minutes",
                       client_name="Harbor Dental", ticket_ref="T-1042")
    FactFactory(session=s, key="vpn_client", value="GlobalProtect 6.1")
    FixFactory(session=s, title="Reinstall the VPN client", status="failed", outcome_note="same drops")
    return s


@pytest.fixture
def handoff(session, engineer):
    return services.handoff_escalate(session=session, actor=engineer, note="Drops persist after reinstall",
                                     urgency="high")


def session_of(handoff):
    return TroubleshootingSession.unscoped.get(pk=handoff.session_id)


def kinds(handoff):
    return list(HandoffEvent.unscoped.filter(handoff=handoff).values_list("kind", flat=True))


def refused(call, code, status=None):
    with pytest.raises(ServiceError) as exc:
        call()
    assert exc.value.code == code, exc.value.detail
    if status:
        assert http_status(exc.value) == status
    return exc.value


def test_escalating_snapshots_the_context_and_marks_the_session(handoff, engineer):
    assert handoff.status == HandoffStatus.OPEN
    assert handoff.requested_by == engineer == handoff.handed_off_by
    assert session_of(handoff).status == SessionStatus.ESCALATED
    context = handoff.context
    assert context["client_name"] == "Harbor Dental" and context["ticket_ref"] == "T-1042"
    assert {"key": "vpn_client", "value": "GlobalProtect 6.1", "source": "tech"} in context["facts"]
    assert context["fixes"][0]["status"] == "failed"
    assert "Reinstall the VPN client (failed: same drops)" in context["summary"]
    assert "Drops persist after reinstall" in context["summary"]
    assert kinds(handoff) == [EventKind.CREATED]


def test_the_context_does_not_change_when_the_session_does(handoff, engineer, senior):
    before = dict(handoff.context)
    services.handoff_claim(handoff=handoff, actor=senior)
    session_services.fact_set(session=session_of(handoff), actor=senior, key="os", value="Windows 11 23H2")
    handoff.refresh_from_db()
    assert handoff.context == before


def test_a_colleague_escalates_for_the_owner(session, engineer, senior):
    handoff = services.handoff_escalate(session=session, actor=senior, note="Jamie is on site without signal")
    assert (handoff.requested_by, handoff.handed_off_by) == (engineer, senior)
    assert "escalated it for them" in handoff.context["summary"]
    assert HandoffEvent.unscoped.get(handoff=handoff).payload["peer"] is True


def test_a_viewer_cannot_escalate(session, viewer):
    refused(lambda: services.handoff_escalate(note="Stuck on it", session=session, actor=viewer),
            "permission_denied", 403)


def test_a_second_escalation_is_a_409_naming_the_first(handoff, session, senior):
    error = refused(lambda: services.handoff_escalate(note="Stuck on it", session=session, actor=senior),
                    "already_escalated", 409)
    assert error.extra["handoff"] == str(handoff.pk)
    assert Handoff.unscoped.filter(session=session).count() == 1


def test_claim_sets_the_assignee_who_may_then_work_in_the_session(handoff, senior):
    services.handoff_claim(handoff=handoff, actor=senior)
    handoff.refresh_from_db()
    assert (handoff.status, handoff.claimed_by) == (HandoffStatus.CLAIMED, senior)
    session = session_of(handoff)
    assert session.assignee == senior
    assert session_services.can_write(user=senior, session=session)


@pytest.mark.parametrize("who", ["engineer", "viewer"])
def test_the_requester_and_viewers_cannot_claim(handoff, personas, who):
    code = "own_escalation" if who == "engineer" else "permission_denied"
    refused(lambda: services.handoff_claim(handoff=handoff, actor=personas[who]), code, 403)


def test_the_peer_who_escalated_cannot_claim_either(session, senior, admin_user):
    handoff = services.handoff_escalate(note="Stuck on it", session=session, actor=senior)
    refused(lambda: services.handoff_claim(handoff=handoff, actor=senior), "own_escalation", 403)
    services.handoff_claim(handoff=handoff, actor=admin_user)


def test_the_second_claimer_is_told_who_won(handoff, senior, admin_user):
    services.handoff_claim(handoff=handoff, actor=senior)
    error = refused(lambda: services.handoff_claim(handoff=handoff, actor=admin_user), "already_claimed", 409)
    assert error.extra["claimed_by"]["name"] == senior.name


def test_a_claim_by_the_engineer_who_holds_it_changes_nothing_and_is_not_refused(handoff, senior):
    services.handoff_claim(handoff=handoff, actor=senior)
    handoff.refresh_from_db()
    claimed_at = handoff.claimed_at

    again = services.handoff_claim(handoff=Handoff.unscoped.get(pk=handoff.pk), actor=senior)

    assert (again.status, again.claimed_by_id, again.claimed_at) == (HandoffStatus.CLAIMED, senior.pk, claimed_at)
    assert kinds(handoff) == ["created", "claimed"]
    assert Message.unscoped.filter(session=handoff.session, body__startswith="Picked up by").count() == 1


def test_release_puts_it_back_on_the_queue(handoff, senior):
    services.handoff_claim(handoff=handoff, actor=senior)
    services.handoff_release(handoff=handoff, actor=senior)
    handoff.refresh_from_db()
    assert (handoff.status, handoff.claimed_by) == (HandoffStatus.OPEN, None)
    assert session_of(handoff).assignee is None
    assert kinds(handoff) == ["created", "claimed", "released"]


def test_return_sends_the_note_to_the_technician_and_reactivates_the_session(handoff, senior):
    services.handoff_claim(handoff=handoff, actor=senior)
    services.handoff_return(handoff=handoff, actor=senior, note="Set MTU 1400 on the adapter, then retest")
    handoff.refresh_from_db()
    session = session_of(handoff)
    assert handoff.status == HandoffStatus.RETURNED and handoff.first_action_kind == "return"
    assert (session.status, session.assignee) == (SessionStatus.ACTIVE, None)
    assert session.messages.filter(kind="note", body__contains="MTU 1400").exists()


def test_resolve_closes_the_escalation_and_the_session(handoff, senior):
    services.handoff_claim(handoff=handoff, actor=senior)
    services.handoff_resolve(handoff=handoff, actor=senior, resolution="Replaced the dock's NIC driver")
    session = session_of(handoff)
    assert (session.status, session.resolution) == (SessionStatus.RESOLVED, "Replaced the dock's NIC driver")
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.RESOLVED and handoff.closed_at


def test_cancel_by_the_requester_while_open(handoff, engineer):
    services.handoff_cancel(handoff=handoff, actor=engineer, note="Got it working")
    assert session_of(handoff).status == SessionStatus.ACTIVE
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.CANCELLED


def test_a_bystander_cannot_cancel_or_act_on_someone_elses_claim(handoff, senior, northwind):
    bystander = UserFactory(account=northwind, role="engineer")
    refused(lambda: services.handoff_cancel(handoff=handoff, actor=bystander), "permission_denied", 403)
    services.handoff_claim(handoff=handoff, actor=senior)
    for action in (lambda: services.handoff_release(handoff=handoff, actor=bystander),
                   lambda: services.handoff_return(handoff=handoff, actor=bystander, note="x"),
                   lambda: services.handoff_resolve(handoff=handoff, actor=bystander, resolution="x")):
        refused(action, "permission_denied", 403)


def test_an_admin_may_act_on_anyones_claim(handoff, senior, admin_user):
    services.handoff_claim(handoff=handoff, actor=senior)
    services.handoff_release(handoff=handoff, actor=admin_user)


# Every transition from every state: what is allowed and what is a 409 with the status.
ACTIONS = {
    "claim": lambda h, p: services.handoff_claim(handoff=h, actor=p["admin"]),
    "release": lambda h, p: services.handoff_release(handoff=h, actor=p["senior"]),
    "return": lambda h, p: services.handoff_return(handoff=h, actor=p["senior"], note="next: check DNS"),
    "resolve": lambda h, p: services.handoff_resolve(handoff=h, actor=p["senior"], resolution="fixed"),
    "cancel": lambda h, p: services.handoff_cancel(handoff=h, actor=p["engineer"]),
}
ALLOWED = {
    "open": {"claim", "cancel"},
    "claimed": {"release", "return", "resolve"},
    "resolved": set(), "returned": set(), "cancelled": set(),
}


def _bring_to(handoff, state, p):
    if state == "open":
        return
    if state == "cancelled":
        services.handoff_cancel(handoff=handoff, actor=p["engineer"])
        return
    services.handoff_claim(handoff=handoff, actor=p["senior"])
    if state == "returned":
        services.handoff_return(handoff=handoff, actor=p["senior"], note="over to you")
    elif state == "resolved":
        services.handoff_resolve(handoff=handoff, actor=p["senior"], resolution="done")


@pytest.mark.parametrize("state", list(ALLOWED))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_transition_from_every_state(handoff, personas, state, action):
    _bring_to(handoff, state, personas)
    handoff.refresh_from_db()
    if action in ALLOWED[state]:
        ACTIONS[action](handoff, personas)
    else:
        error = refused(lambda: ACTIONS[action](handoff, personas),
                        "already_claimed" if (state, action) == ("claimed", "claim") else "invalid_transition", 409)
        assert error.extra["status"] == state


def test_the_claimants_first_action_in_the_session_is_stamped_once(handoff, senior):
    services.handoff_claim(handoff=handoff, actor=senior)
    session = session_of(handoff)
    session_services.fact_set(session=session, actor=senior, key="mtu", value="1500")
    session_services.message_post(session=session, actor=senior, body="checking the adapter", kind="note")
    handoff.refresh_from_db()
    assert handoff.first_action_kind == "fact"
    assert kinds(handoff).count(EventKind.FIRST_ACTION) == 1


def test_activity_by_someone_other_than_the_claimant_is_not_a_first_action(handoff, senior, engineer):
    services.handoff_claim(handoff=handoff, actor=senior)
    session_services.message_post(session=session_of(handoff), actor=engineer, body="still dropping", kind="note")
    handoff.refresh_from_db()
    assert handoff.first_action_at is None


def test_resolving_the_session_itself_closes_its_escalation(handoff, senior):
    services.handoff_claim(handoff=handoff, actor=senior)
    session_services.session_resolve(session=session_of(handoff), actor=senior, resolution="Router firmware")
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.RESOLVED and handoff.first_action_kind == "resolve"


def test_an_alert_is_recorded_once(handoff):
    assert services.handoff_alert(handoff=handoff) is True
    assert services.handoff_alert(handoff=handoff) is False
    assert kinds(handoff).count(EventKind.ALERTED) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(2))
def test_many_concurrent_claimers_produce_exactly_one_winner(attempt):
    from tests.factories import AccountFactory

    account = AccountFactory()
    owner = UserFactory(account=account)
    session = SessionFactory(account=account, owner=owner)
    handoff = services.handoff_escalate(note="Stuck on it", session=session, actor=owner)
    claimers = [UserFactory(account=account) for _ in range(12)]
    barrier = threading.Barrier(len(claimers))
    outcomes = []

    def claim(user):
        try:
            barrier.wait(timeout=10)
            services.handoff_claim(handoff=Handoff.unscoped.get(pk=handoff.pk), actor=user)
            outcomes.append("won")
        except ServiceError as exc:
            outcomes.append(exc.code)
        except Exception as exc:
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(user,)) for user in claimers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["already_claimed"] * (len(claimers) - 1) + ["won"]
    assert HandoffEvent.unscoped.filter(handoff=handoff, kind=EventKind.CLAIMED).count() == 1


# ---- work held by someone who leaves (issue: a deactivated claimant kept the escalation) ----


@pytest.mark.parametrize("change", [{"is_active": False}, {"role": "viewer"}])
def test_a_claimant_who_leaves_or_is_demoted_gives_the_escalation_back(handoff, senior, admin_user, change):
    from accounts import services as account_services
    from accounts.models import User

    services.handoff_claim(handoff=handoff, actor=senior)
    account_services.user_update(user=User.objects.get(pk=senior.pk), actor=admin_user, **change)

    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.OPEN and handoff.claimed_by_id is None
    assert session_of(handoff).assignee_id is None
    assert session_of(handoff).status == SessionStatus.ESCALATED
    event = HandoffEvent.unscoped.filter(handoff=handoff).order_by("seq").last()
    assert event.kind == EventKind.RELEASED and event.actor_id == admin_user.pk
    reason = "deactivated" if "is_active" in change else "role_changed"
    assert event.payload == {"reason": reason, "previous_claimant": {"id": str(senior.pk), "name": senior.name}}


def test_a_colleague_can_pick_up_what_a_departed_claimant_held(handoff, senior, admin_user, northwind):
    from accounts import services as account_services

    services.handoff_claim(handoff=handoff, actor=senior)
    account_services.user_update(user=senior, actor=admin_user, is_active=False)
    colleague = UserFactory(account=northwind)
    services.handoff_claim(handoff=Handoff.unscoped.get(pk=handoff.pk), actor=colleague)
    assert Handoff.unscoped.get(pk=handoff.pk).claimed_by_id == colleague.pk


def test_a_promotion_keeps_the_claim(handoff, senior, admin_user):
    from accounts import services as account_services

    services.handoff_claim(handoff=handoff, actor=senior)
    account_services.user_update(user=senior, actor=admin_user, role="admin")
    assert Handoff.unscoped.get(pk=handoff.pk).claimed_by_id == senior.pk


@pytest.mark.parametrize(("act", "verb"), [
    (lambda h, who: services.handoff_release(handoff=h, actor=who), "release"),
    (lambda h, who: services.handoff_return(handoff=h, actor=who, note="Try the registry fix"), "return"),
    (lambda h, who: services.handoff_resolve(handoff=h, actor=who, resolution="Rebuilt the profile"), "resolve"),
], ids=["release", "return", "resolve"])
def test_refusals_of_the_claimants_actions_name_the_action_in_plain_words(handoff, senior, viewer, northwind,
                                                                         act, verb):
    services.handoff_claim(handoff=handoff, actor=senior)
    another = UserFactory(account=northwind, role="engineer", display_name="Riley Other")
    details = []
    for who in (another, viewer):
        with pytest.raises(ServiceError) as refused:
            act(handoff, who)
        details.append((http_status(refused.value), refused.value.detail))
    assert details == [(403, f"Only the engineer who picked this up (or an admin) may {verb} it."),
                       (403, f"Viewers cannot {verb} escalations.")]
    assert Handoff.unscoped.get(pk=handoff.pk).status == HandoffStatus.CLAIMED
