"""A stale object's full-row save never puts an event counter back (resolutionflow.counters).

Each test loads an object, lets the real service move its counter, then saves the stale copy
the way the admin or a command would: without the guard the counter goes back and the next
event reuses a number already given out.
"""

import pytest
from django.db import transaction

from accounts.models import Account
from accounts.services import account_next_event_seq
from sessions_app.events import next_event_seq
from sessions_app.models import TroubleshootingSession
from tests.sessions_app.factories import SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_stale_account_save_keeps_the_event_seq_and_writes_the_rest(northwind):
    stale = Account.objects.get(pk=northwind.pk)
    with transaction.atomic():
        first = account_next_event_seq(account_id=northwind.pk)
        second = account_next_event_seq(account_id=northwind.pk)
    stale.name = "Northwind renamed"
    stale.save()

    fresh = Account.objects.get(pk=northwind.pk)
    assert (first, second, fresh.event_seq, fresh.name) == (first, first + 1, second, "Northwind renamed")
    with transaction.atomic():
        assert account_next_event_seq(account_id=northwind.pk) == second + 1


def test_a_stale_session_save_keeps_the_event_seq_and_writes_the_rest(northwind):
    session = SessionFactory(account=northwind)
    stale = TroubleshootingSession.objects.for_account(northwind).get(pk=session.pk)
    with transaction.atomic():
        locked = TroubleshootingSession.objects.for_account(northwind).get(pk=session.pk)
        seq = next_event_seq(locked)
    stale.title = "Outlook keeps asking for the password"
    stale.save()

    fresh = TroubleshootingSession.objects.for_account(northwind).get(pk=session.pk)
    assert (fresh.event_seq, fresh.title) == (seq, "Outlook keeps asking for the password")
    assert seq >= 1


def test_naming_the_counter_in_update_fields_still_writes_it(northwind):
    account = Account.objects.get(pk=northwind.pk)
    account.event_seq = 41
    account.save(update_fields=["event_seq"])
    assert Account.objects.get(pk=northwind.pk).event_seq == 41


def test_a_new_row_is_inserted_whole(db):
    account = Account(name="Contoso IT", slug="contoso-it", event_seq=7)
    account.save()
    assert Account.objects.get(pk=account.pk).event_seq == 7
