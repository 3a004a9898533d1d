"""Transactions that touch a session and its escalation, raced over real HTTP (docs/architecture.md#locks).

Every such transaction locks the session's row first and decides on the state it then reads,
so on PostgreSQL no pair can deadlock (which answered 500 ``DeadlockDetected`` in about one
try in six when the escalation services locked the escalation first) and none can leave a
half-changed state. Each pair runs 30 times at the same moment; every answer must be a
success or a clear 4xx, and the rows must agree with each other afterwards. Runs on the
suite's database: SQLite locally, PostgreSQL in CI.
"""

import pytest
from django.urls import reverse

from accounts.services import api_token_create
from handoffs import services
from handoffs.models import LIVE_STATUSES, Handoff, HandoffStatus
from sessions_app.models import SessionStatus, TroubleshootingSession
from tests.factories import AccountFactory, UserFactory
from tests.handoffs.test_claim_race import burst, post, server  # noqa: F401  (the fixture)
from tests.sessions_app.factories import SessionFactory

TRIES = 30


@pytest.fixture
def team(transactional_db):
    account = AccountFactory()
    junior = UserFactory(account=account, display_name="Jamie Junior")
    senior = UserFactory(account=account, display_name="Sam Senior")
    keys = {user.pk: api_token_create(user=user, name="race").key for user in (junior, senior)}
    return account, junior, senior, keys


def fresh_session(account, owner):
    return SessionFactory(account=account, owner=owner, title="Outlook prompts for a password")


def rows(session):
    session = TroubleshootingSession.unscoped.get(pk=session.pk)
    return session, list(Handoff.unscoped.filter(session=session))


def assert_no_server_errors(answers):
    for status, body in answers:
        assert status < 500, body
        if status >= 400:
            assert isinstance(body, dict) and body.get("code") and body.get("detail"), body


def test_a_claim_racing_the_owners_resolve_never_deadlocks_or_half_closes(server, team):  # noqa: F811
    account, junior, senior, keys = team
    outcomes = set()
    for _ in range(TRIES):
        session = fresh_session(account, junior)
        handoff = services.handoff_escalate(session=session, actor=junior, note="Stuck on MFA")
        answers = burst([
            lambda: post(server + reverse("handoff-claim", args=[handoff.pk]), keys[senior.pk]),
            lambda: post(server + reverse("session-resolve", args=[session.pk]), keys[junior.pk],
                         {"resolution": "Cleared the cached credentials"}),
        ])
        assert_no_server_errors(answers)
        claim, resolve = answers
        assert resolve[0] == 200, resolve
        assert claim[0] in (200, 409), claim
        session, handoffs = rows(session)
        assert session.status == SessionStatus.RESOLVED and session.resolved_at is not None
        assert session.assignee_id is None
        assert [h.status for h in handoffs] == [HandoffStatus.RESOLVED]
        outcomes.add(claim[0])
    print(f"claim answers seen across {TRIES} races: {sorted(outcomes)}")


def test_a_release_racing_the_claimants_message_never_deadlocks(server, team):  # noqa: F811
    account, junior, senior, keys = team
    for n in range(TRIES):
        session = fresh_session(account, junior)
        handoff = services.handoff_escalate(session=session, actor=junior, note="Stuck on MFA")
        services.handoff_claim(handoff=handoff, actor=senior)
        answers = burst([
            lambda: post(server + reverse("handoff-release", args=[handoff.pk]), keys[senior.pk]),
            lambda: post(server + reverse("session-message-list", args=[session.pk]), keys[senior.pk],
                         {"body": f"Checking the sign-in logs ({n})", "kind": "note"}),
        ])
        assert_no_server_errors(answers)
        release, message = answers
        assert release[0] == 200, release
        # After the release the senior no longer holds the session: their note is refused.
        assert message[0] in (201, 403), message
        session, handoffs = rows(session)
        assert [h.status for h in handoffs] == [HandoffStatus.OPEN]
        assert session.status == SessionStatus.ESCALATED and session.assignee_id is None
        assert (handoffs[0].first_action_at is not None) == (message[0] == 201)


def test_an_escalation_racing_the_resolve_of_the_same_session_leaves_one_consistent_state(server, team):  # noqa: F811
    account, junior, senior, keys = team
    for _ in range(TRIES):
        session = fresh_session(account, junior)
        answers = burst([
            lambda: post(server + reverse("session-handoff", args=[session.pk]), keys[junior.pk],
                         {"note": "Stuck on MFA"}),
            lambda: post(server + reverse("session-resolve", args=[session.pk]), keys[junior.pk],
                         {"resolution": "Cleared the cached credentials"}),
        ])
        assert_no_server_errors(answers)
        escalate, resolve = answers
        assert resolve[0] == 200, resolve
        assert escalate[0] in (201, 409), escalate
        session, handoffs = rows(session)
        assert session.status == SessionStatus.RESOLVED and session.resolved_at is not None
        # Escalated first: the resolve closed the escalation. Resolved first: none was made.
        assert not [h for h in handoffs if h.status in LIVE_STATUSES]
        assert len(handoffs) == (1 if escalate[0] == 201 else 0)
        if escalate[0] == 409:
            assert escalate[1]["code"] == "session_closed"
