"""Changes to one session made at the same moment, over real HTTP, get distinct consecutive
``seq`` numbers (sessions_app/events.py): the increment happens on the session row, locked
until the change commits. Runs on the suite's database: SQLite locally, PostgreSQL in CI."""

import threading

import pytest
from django.urls import reverse

from accounts.services import api_token_create
from sessions_app import events
from sessions_app.models import TroubleshootingSession
from tests.factories import AccountFactory, UserFactory
from tests.handoffs.test_claim_race import burst, post, server  # noqa: F401  (the fixture)
from tests.sessions_app.factories import SessionFactory

WRITERS = 8


@pytest.fixture
def published(monkeypatch):
    """Every message the server publishes, as it hands it to the channel layer."""
    sent, lock = [], threading.Lock()
    real = events.send_to_groups

    def record(message, groups):
        with lock:
            sent.append(message)
        real(message, groups)

    monkeypatch.setattr(events, "send_to_groups", record)
    return sent


def test_concurrent_changes_get_distinct_consecutive_numbers(server, transactional_db, published):  # noqa: F811
    account = AccountFactory()
    owner = UserFactory(account=account)
    key = api_token_create(user=owner, name="race").key
    session = SessionFactory(account=account, owner=owner, title="Outlook prompts for a password")
    url = server + reverse("session-fact-list", args=[session.pk])

    answers = burst([lambda n=n: post(url, key, {"key": f"mailbox_{n}", "value": f"{n} GB"})
                     for n in range(WRITERS)])

    assert [status for status, _ in answers] == [201] * WRITERS, answers
    numbers = sorted(m["seq"] for m in published if m["session"] == str(session.pk))
    assert numbers == list(range(1, WRITERS + 1))
    assert TroubleshootingSession.unscoped.get(pk=session.pk).event_seq == WRITERS
