"""``manage.py escalation_sweep``: alert escalations nobody picked up in time, and enqueue
again deliveries whose task was lost (handoffs.deliveries.deliveries_requeue_stale)."""

import logging
import signal
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account
from handoffs import deliveries, services
from handoffs.models import Handoff, HandoffStatus

logger = logging.getLogger("handoffs.sweep")


class Command(BaseCommand):
    help = (
        "Find open escalations older than their account's unclaimed_alert_minutes that have not "
        "been alerted yet; for each, record an 'alerted' event (pushed live to the queue, where it "
        "is highlighted), and queue an email to the account's active engineers and admins (not the "
        "technician who asked) and a POST to the account's webhook if it has one (the worker, "
        "db_worker, sends them). Each escalation is alerted once, "
        "however often this runs. Runs one pass, or with --every SECONDS keeps sweeping until "
        "interrupted (SIGTERM or Ctrl+C finish the current pass and exit cleanly). Prints one line "
        "per alert and a summary per pass. Each pass also enqueues again any pending delivery whose "
        "try was due more than 10 minutes ago (its task was lost with a killed worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, metavar="SECONDS",
                            help="Sweep again every SECONDS until interrupted (e.g. --every 60).")
        parser.add_argument("--passes", type=int, metavar="N",
                            help="With --every: stop after N passes (default: run until interrupted).")

    def handle(self, *args, every=None, passes=None, **options):
        if every is None:
            if passes is not None:
                raise CommandError("--passes needs --every.")
            self.sweep()
            return
        if every <= 0:
            raise CommandError("--every needs a positive number of seconds.")
        if passes is not None and passes < 1:
            raise CommandError("--passes needs a positive number.")
        self.loop(every, passes)

    def loop(self, every: float, passes: int | None) -> None:
        stop = threading.Event()

        def request_stop(signum, frame):
            self.stdout.write(f"Received {signal.Signals(signum).name}; stopping after this pass.")
            stop.set()

        previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        self.stdout.write(f"Sweeping every {every:g} s; stop with SIGTERM or Ctrl+C.")
        done = 0
        try:
            while not stop.is_set():
                self.refresh_connections()
                try:
                    self.sweep()
                except Exception:
                    # A database hiccup must not end the loop: log it, try again next pass.
                    logger.exception("escalation sweep pass failed")
                    self.stderr.write("The pass failed (see the log); trying again next time.")
                done += 1
                if passes is not None and done >= passes:
                    break
                self.pause(every, stop)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.refresh_connections()
        self.stdout.write(f"Stopped after {done} pass(es).")

    @staticmethod
    def pause(seconds: float, stop: threading.Event) -> None:
        """Wait for the next pass in short steps: the kernel may hand a signal to another thread
        (a database driver's or a library's), and Python runs its handler only when the main
        thread next executes, so one long wait could sleep through a SIGTERM."""
        deadline = time.monotonic() + seconds
        while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
            stop.wait(min(left, 0.25))

    @staticmethod
    def refresh_connections() -> None:
        """A long-lived loop must not keep a dead or expired connection between passes (the
        request cycle does this for views). Inside a transaction (a test's) there is none to drop."""
        if not connection.in_atomic_block:
            close_old_connections()

    def sweep(self) -> int:
        now = timezone.now()
        waiting = Q(status=HandoffStatus.OPEN, alerted_at=None) | Q(
            status=HandoffStatus.CLAIMED, first_action_at=None, idle_alerted_at=None)
        accounts = Account.objects.filter(pk__in=Handoff.unscoped.filter(waiting).values("account")).order_by("name")
        alerted = 0
        for account in accounts:
            for handoff in services.handoffs_past_alert_threshold(account=account, now=now):
                if not services.handoff_alert(handoff=handoff):
                    continue  # claimed, cancelled or alerted by another sweep a moment ago
                alerted += 1
                if handoff.status == HandoffStatus.OPEN:
                    waited = int((now - handoff.created_at).total_seconds() // 60)
                    state = f"unclaimed for {waited} min"
                else:
                    waited = int((now - handoff.claimed_at).total_seconds() // 60)
                    state = f"picked up by {handoff.claimed_by.name} {waited} min ago with no action yet"
                line = (f"Alerted {account.name}: “{handoff.session.title}” ({handoff.urgency}), "
                        f"{state} (threshold {account.unclaimed_alert_minutes} min).")
                logger.info(line)
                self.stdout.write(line)
        requeued = deliveries.deliveries_requeue_stale(now=now)
        summary = f"{timezone.localtime(now):%Y-%m-%d %H:%M:%S} sweep: {alerted} escalation(s) alerted."
        if requeued:
            summary += f" {requeued} lost delivery task(s) enqueued again."
        logger.info(summary)
        self.stdout.write(summary)
        return alerted
