"""Check-then-write races in session writes, over real HTTP (docs/architecture.md#locks).

Every service that decides on state it read (resolve, fact set / rename / delete, message
post, flow answer) decides after locking the session's row, and maps an integrity error to
409. Each pair runs at the same moment, 10 times; every answer must be a success or a clear
4xx, and the rows must agree afterwards. Runs on SQLite locally and PostgreSQL in CI.
"""

import pytest
from django.urls import reverse

from accounts.services import api_token_create
from sessions_app.models import Fact, Message, MessageKind, SessionStatus, TroubleshootingSession
from tests.factories import AccountFactory, UserFactory
from tests.handoffs.test_claim_race import burst, post, send, server  # noqa: F401  (the fixture)
from tests.handoffs.test_lock_order_races import assert_no_server_errors
from tests.sessions_app.factories import FactFactory, FlowSessionFactory, SessionFactory

TRIES = 10
@pytest.fixture
def tech(transactional_db):
    account = AccountFactory()
    owner = UserFactory(account=account, display_name="Jamie Junior")
    return account, owner, api_token_create(user=owner, name="race").key


def test_a_message_racing_the_resolve_is_either_before_it_or_refused(server, tech):  # noqa: F811
    account, owner, key = tech
    for n in range(TRIES):
        session = SessionFactory(account=account, owner=owner)
        answers = burst([
            lambda: post(server + reverse("session-resolve", args=[session.pk]), key, {"resolution": "Rebuilt"}),
            lambda: post(server + reverse("session-message-list", args=[session.pk]), key,
                         {"body": f"one more thing {n}", "kind": "note"}),
        ])
        assert_no_server_errors(answers)
        resolve, message = answers
        assert resolve[0] == 200 and message[0] in (201, 409)
        session = TroubleshootingSession.unscoped.get(pk=session.pk)
        assert session.status == SessionStatus.RESOLVED
        notes = Message.unscoped.filter(session=session, kind=MessageKind.NOTE)
        resolved_line = Message.unscoped.get(session=session, body__startswith="Resolved by")
        if message[0] == 201:
            assert notes.get().created_at <= resolved_line.created_at  # no note after the resolve
        else:
            assert message[1]["code"] == "session_closed" and not notes.exists()


def test_two_people_setting_the_same_fact_leave_one_value(server, tech):  # noqa: F811
    account, owner, key = tech
    for n in range(TRIES):
        session = SessionFactory(account=account, owner=owner)
        url = server + reverse("session-fact-list", args=[session.pk])
        answers = burst([lambda: post(url, key, {"key": "os", "value": f"Windows 11 {n}"}),
                         lambda: post(url, key, {"key": "OS", "value": f"Windows 10 {n}"})])
        assert_no_server_errors(answers)
        assert {status for status, _ in answers} <= {200, 201}
        assert Fact.unscoped.filter(session=session, key="os").count() == 1


def test_two_renames_to_the_same_name_give_one_fact_that_name_and_one_409(server, tech):  # noqa: F811
    account, owner, key = tech
    for _ in range(TRIES):
        session = SessionFactory(account=account, owner=owner)
        first = FactFactory(session=session, key="host", value="BR2-PC11")
        second = FactFactory(session=session, key="hostname", value="BR2-PC12")
        answers = burst([
            lambda: send("PATCH", server + reverse("session-fact-detail", args=[session.pk, first.pk]), key,
                         {"key": "computer"}),
            lambda: send("PATCH", server + reverse("session-fact-detail", args=[session.pk, second.pk]), key,
                         {"key": "computer"}),
        ])
        assert_no_server_errors(answers)
        assert sorted(status for status, _ in answers) == [200, 409]
        assert Fact.unscoped.filter(session=session, key="computer").count() == 1


def test_a_rename_racing_a_delete_of_the_same_fact_is_a_clean_answer(server, tech):  # noqa: F811
    account, owner, key = tech
    for _ in range(TRIES):
        session = SessionFactory(account=account, owner=owner)
        fact = FactFactory(session=session, key="host", value="BR2-PC11")
        detail = server + reverse("session-fact-detail", args=[session.pk, fact.pk])
        answers = burst([lambda: send("PATCH", detail, key, {"key": "computer"}),
                         lambda: send("DELETE", detail, key)])
        assert_no_server_errors(answers)
        rename, delete = answers
        assert delete[0] == 204 and rename[0] in (200, 404)
        assert not Fact.unscoped.filter(session=session).exists()


def test_two_answers_to_the_same_flow_step_move_it_once(server, tech):  # noqa: F811
    account, owner, key = tech
    for _ in range(TRIES):
        session = FlowSessionFactory(account=account, owner=owner)
        url = server + reverse("session-flow-answer", args=[session.pk])
        answers = burst([lambda: post(url, key, {"step": "restart", "option": "No"}),
                         lambda: post(url, key, {"step": "restart", "option": "Yes"})])
        assert_no_server_errors(answers)
        assert sorted(status for status, _ in answers) == [200, 409]
        session = TroubleshootingSession.unscoped.get(pk=session.pk)
        assert len(session.path) == 1 and session.current_step in ("res-fixed", "res-escalate")
