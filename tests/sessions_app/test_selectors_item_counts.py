"""``attach_item_counts``: the page's counts come from one query over the page's ids, and a
session of another account is refused rather than counted (the lookup is by id alone)."""

import pytest

from sessions_app import selectors
from tests.sessions_app.factories import FactFactory, FixFactory, MessageFactory, SessionFactory


def test_each_session_of_the_page_gets_its_own_counts(engineer):
    busy = SessionFactory(account=engineer.account, owner=engineer)
    quiet = SessionFactory(account=engineer.account, owner=engineer)
    MessageFactory.create_batch(3, session=busy)
    FactFactory(session=busy, key="os")
    FactFactory(session=busy, key="host")
    FixFactory(session=busy)
    MessageFactory(session=quiet)

    page = selectors.attach_item_counts([busy, quiet], account=engineer.account)

    assert [(s.messages_count, s.facts_count, s.fixes_count) for s in page] == [(3, 2, 1), (1, 0, 0)]


def test_a_session_of_another_account_is_refused(engineer, outsider_admin):
    foreign = SessionFactory(account=outsider_admin.account, owner=outsider_admin)

    with pytest.raises(ValueError, match="must belong to the account"):
        selectors.attach_item_counts([foreign], account=engineer.account)
