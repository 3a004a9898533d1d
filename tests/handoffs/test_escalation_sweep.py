"""``manage.py escalation_sweep``: escalations left unclaimed past their account's threshold
get an ``alerted`` event, pushed live, and one email round, once."""

import os
import signal
import threading
from datetime import timedelta
from io import StringIO

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core import mail
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.utils import timezone

from handoffs import services
from handoffs.events import account_group
from handoffs.models import EventKind, Handoff, HandoffEvent
from tests.factories import UserFactory
from tests.sessions_app.factories import SessionFactory
from tests.tasks import run_due_tasks


def escalation(account, *, minutes_ago, owner=None, title="Exchange rejects outside mail", urgency="normal"):
    owner = owner or UserFactory(account=account)
    handoff = services.handoff_escalate(session=SessionFactory(account=account, owner=owner, title=title),
                                        actor=owner, urgency=urgency, note="Stuck on it")
    Handoff.unscoped.filter(pk=handoff.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    handoff.refresh_from_db()
    return handoff


def sweep(*args):
    out = StringIO()
    call_command("escalation_sweep", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def alerted(handoff):
    return HandoffEvent.unscoped.filter(handoff=handoff, kind=EventKind.ALERTED).count()


def test_help_says_what_it_does():
    text = " ".join(load_command_class("handoffs", "escalation_sweep").create_parser("manage.py", "x")
                    .format_help().split())
    for words in ("unclaimed_alert_minutes", "--every SECONDS", "once", "SIGTERM"):
        assert words in text


def test_an_escalation_past_the_threshold_is_alerted_and_emailed_once(
        personas, northwind, engineer, django_capture_on_commit_callbacks):
    late = escalation(northwind, minutes_ago=20, owner=engineer)
    fresh = escalation(northwind, minutes_ago=5, owner=engineer)
    with django_capture_on_commit_callbacks(execute=True):
        output = sweep()
    assert (alerted(late), alerted(fresh)) == (1, 0)
    assert "Alerted Northwind IT: “Exchange rejects outside mail” (normal), unclaimed for 20 min (threshold 15 min)" \
        in output
    assert "1 escalation(s) alerted" in output
    assert mail.outbox == []  # queued with the alert, sent by the worker
    run_due_tasks()
    # The engineers and admins, not the technician who asked.
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@northwind.test", "sam@northwind.test"]
    assert mail.outbox[0].subject.startswith("[Northwind IT] Unclaimed for 20 min")

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = sweep()
    run_due_tasks()
    assert alerted(late) == 1 and mail.outbox == []
    assert "0 escalation(s) alerted" in again


def test_each_account_has_its_own_threshold(northwind, outsider, django_capture_on_commit_callbacks):
    outsider.unclaimed_alert_minutes = 60
    outsider.save(update_fields=["unclaimed_alert_minutes"])
    ours = escalation(northwind, minutes_ago=30)
    theirs = escalation(outsider, minutes_ago=30)
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    assert (alerted(ours), alerted(theirs)) == (1, 0)


def test_claimed_and_closed_escalations_are_left_alone(northwind, senior, django_capture_on_commit_callbacks):
    claimed = escalation(northwind, minutes_ago=40)
    services.handoff_claim(handoff=claimed, actor=senior)
    cancelled = escalation(northwind, minutes_ago=40)
    services.handoff_cancel(handoff=cancelled, actor=cancelled.requested_by)
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    run_due_tasks()
    assert (alerted(claimed), alerted(cancelled)) == (0, 0)
    assert mail.outbox == []


def test_a_claim_with_no_first_action_past_the_threshold_is_alerted_once(
        northwind, senior, admin_user, django_capture_on_commit_callbacks):
    idle = escalation(northwind, minutes_ago=40, title="Printer offline")
    services.handoff_claim(handoff=idle, actor=senior)
    Handoff.unscoped.filter(pk=idle.pk).update(claimed_at=timezone.now() - timedelta(minutes=20))
    busy = escalation(northwind, minutes_ago=40)
    services.handoff_claim(handoff=busy, actor=senior)
    Handoff.unscoped.filter(pk=busy.pk).update(claimed_at=timezone.now() - timedelta(minutes=20),
                                               first_action_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        output = sweep()
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    run_due_tasks()

    assert (alerted(idle), alerted(busy)) == (1, 0)
    event = HandoffEvent.unscoped.get(handoff=idle, kind=EventKind.ALERTED)
    assert event.payload == {"reason": "no_first_action", "threshold_minutes": 15}
    assert "picked up by Sam Senior 20 min ago with no action yet" in output
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [admin_user.email, senior.email])
    assert all("no action yet" in message.subject for message in mail.outbox)


@pytest.mark.django_db(transaction=True)
def test_the_alert_is_pushed_live_to_the_accounts_queue():
    from tests.factories import AccountFactory

    account = AccountFactory()
    handoff = escalation(account, minutes_ago=16)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(account_group(account.pk), channel)
    sweep()
    message = async_to_sync(layer.receive)(channel)
    assert message["payload"]["event"] == "handoff.alerted"
    assert message["payload"]["handoff"]["id"] == str(handoff.pk)
    assert message["payload"]["handoff"]["alerted_at"] is not None
    async_to_sync(layer.group_discard)(account_group(account.pk), channel)


def test_every_repeats_for_the_given_number_of_passes(northwind):
    output = sweep("--every", "0.01", "--passes", "3")
    assert output.count("sweep: 0 escalation(s) alerted") == 3
    assert "Stopped after 3 pass(es)." in output


@pytest.mark.parametrize("args", [["--every", "0"], ["--passes", "2"], ["--every", "1", "--passes", "0"]])
def test_bad_options_are_refused(args, db):
    with pytest.raises(CommandError):
        sweep(*args)


class _PassWatcher(StringIO):
    """Tells the test when the first pass has been printed (the handlers are in place by then)."""

    def __init__(self):
        super().__init__()
        self.first_pass = threading.Event()

    def write(self, text):
        if "sweep:" in text:
            self.first_pass.set()
        return super().write(text)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_loop_cleanly_and_restores_the_handlers(northwind, signum):
    before = signal.getsignal(signum)
    out = _PassWatcher()

    def interrupt():
        if out.first_pass.wait(timeout=30):
            os.kill(os.getpid(), signum)

    threading.Thread(target=interrupt, daemon=True).start()
    call_command("escalation_sweep", "--every", "3600", stdout=out, stderr=StringIO())
    output = out.getvalue()
    assert f"Received {signal.Signals(signum).name}; stopping after this pass." in output
    assert "Stopped after 1 pass(es)." in output
    assert signal.getsignal(signum) is before


def test_a_failing_pass_is_logged_and_the_loop_goes_on(northwind, monkeypatch, caplog):
    from handoffs.management.commands import escalation_sweep

    calls = []

    def flaky(self):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return 0

    monkeypatch.setattr(escalation_sweep.Command, "sweep", flaky)
    output = sweep("--every", "0.01", "--passes", "2")
    assert len(calls) == 2 and "Stopped after 2 pass(es)." in output
    assert any(r.levelname == "ERROR" and "sweep pass failed" in r.getMessage() for r in caplog.records)
