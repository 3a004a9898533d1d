"""Lists run a constant number of queries whatever their length (issue 3): each list is read
with 2 rows, grown to 20 and read again; both reads must take the same queries, within the
budget pinned here."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from handoffs import services as handoff_services
from sessions_app.models import FixStatus, MessageKind, TroubleshootingSession
from tests.factories import UserFactory
from tests.sessions_app.factories import (
    FactFactory,
    FixFactory,
    FlowFactory,
    FlowSessionFactory,
    MessageFactory,
    SessionFactory,
)


def add_sessions(session, count):
    """A mix: colleagues' flow sessions (the first row added: a page with a FlowPilot session
    reads its runbooks, one query), and assistant sessions with items, some escalated (and picked
    up) or resolved: every row's ``escalation`` and ``actions`` are computed."""
    for i in range(count):
        if i % 2 == 0:
            colleague = UserFactory(account=session.account)
            FlowSessionFactory(account=session.account, owner=colleague, flow=FlowFactory(account=session.account))
        else:
            other = SessionFactory(account=session.account, owner=session.owner)
            MessageFactory(session=other)
            FactFactory(session=other)
            FixFactory(session=other)
            if i % 4 == 1:
                handoff = handoff_services.handoff_escalate(session=other, actor=session.owner, note="Stuck")
                if i % 8 == 1:
                    handoff_services.handoff_claim(handoff=handoff, actor=UserFactory(account=session.account))
            elif i % 8 == 3:
                TroubleshootingSession.unscoped.filter(pk=other.pk).update(
                    status="resolved", resolution="Restarted the spooler.", resolved_at=timezone.now())


def add_messages(session, count):
    for i in range(count):
        MessageFactory(session=session, kind=MessageKind.ASSISTANT if i % 2 else MessageKind.TECH,
                       author=None if i % 2 else UserFactory(account=session.account))


def add_facts(session, count):
    for _ in range(count):
        FactFactory(session=session, author=UserFactory(account=session.account))


def add_fixes(session, count):
    for i in range(count):
        FixFactory(session=session, proposed_by=UserFactory(account=session.account) if i % 2 else None,
                   status=FixStatus.FAILED if i % 3 else FixStatus.PROPOSED)


def add_flows(session, count):
    for i in range(count):
        FlowFactory(account=None if i % 2 else session.account)


# list → (url name, how to add rows, rows already there, query budget)
LISTS = {
    # the user's account, the rows, the page's owners and assignees in one statement, its
    # runbooks in one (a page without a FlowPilot session skips it), the message, fact and fix
    # counts of the page's rows only in one statement, and the page's live escalations (the
    # rows' ``escalation``) in one (the page count is skipped: a page that reaches the end knows it)
    "sessions": ("session-list", add_sessions, 1, 6),
    # the account, the session, the page count, the rows with their authors joined
    "messages": ("session-message-list", add_messages, 0, 4),
    "facts": ("session-fact-list", add_facts, 0, 4),
    "fixes": ("session-fix-list", add_fixes, 0, 4),
    # the account, the page count, the rows (the library shadowing is a subquery)
    "flows": ("flow-list", add_flows, 0, 3),
}


def queries_to_read(api, user_id, url, rows):
    client = api.as_user(User.objects.get(pk=user_id))  # nothing cached: the request loads what it needs
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    assert response.json()["count"] == rows
    return len(queries)


@pytest.mark.parametrize("name", list(LISTS))
def test_a_list_takes_the_same_queries_for_2_rows_as_for_20(api, engineer, name):
    url_name, add, present, budget = LISTS[name]
    session = SessionFactory(account=engineer.account, owner=engineer)
    nested = url_name not in ("session-list", "flow-list")
    url = reverse(url_name, args=[session.pk]) if nested else reverse(url_name)
    add(session, 2 - present)
    with_2 = queries_to_read(api, engineer.pk, url, 2)
    add(session, 18)
    with_20 = queries_to_read(api, engineer.pk, url, 20)
    assert with_2 == with_20, f"{name}: {with_2} queries for 2 rows, {with_20} for 20"
    assert with_20 <= budget, f"{name}: {with_20} queries, the budget is {budget}"


def test_a_page_without_flowpilot_sessions_skips_the_runbook_query(api, engineer):
    """The runbooks of a page are read only when a FlowPilot session is on it (one query)."""
    SessionFactory(account=engineer.account, owner=engineer)
    SessionFactory(account=engineer.account, owner=engineer)
    url = reverse("session-list")
    without = queries_to_read(api, engineer.pk, url, 2)
    FlowSessionFactory(account=engineer.account, owner=engineer, flow=FlowFactory(account=engineer.account))
    assert queries_to_read(api, engineer.pk, url, 3) == without + 1
