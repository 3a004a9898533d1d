"""How long the pilot metrics take for a busy account (handoffs.metrics.pilot_metrics, the
selector behind /metrics/, the API, the CSV and pilot_report).

    DEBUG=true DATABASE_URL=sqlite:////tmp/bench-metrics.sqlite3 \\
        .venv/bin/python bench/metrics_report.py --escalations 5000

Migrates the database it is given, writes one account with N escalations spread over the last
eight weeks (rows written directly: this measures reading, not the services), then times the
selector, the CSV and the page's chart layout. Prints the figures; asserts nothing.
"""

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resolutionflow.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Account, Role, User  # noqa: E402
from handoffs import metrics  # noqa: E402
from handoffs.metrics.chart import weekly_chart  # noqa: E402
from handoffs.models import URGENCY_RANK, BaselineSample, Handoff, Urgency  # noqa: E402
from sessions_app.models import TroubleshootingSession  # noqa: E402


def build(count: int) -> Account:
    rng = random.Random(1)  # noqa: S311 - bench data
    slug = f"bench-{count}"
    Account.objects.filter(slug=slug).delete()
    account = Account.objects.create(name=f"Bench {count}", slug=slug, time_zone="Europe/London")
    people = [User.objects.create_user(email=f"p{i}@{slug}.test", password=None, account=account,
                                       role=Role.ENGINEER, display_name=f"Person {i}") for i in range(12)]
    now = timezone.now()
    sessions = TroubleshootingSession.unscoped.bulk_create(
        TroubleshootingSession(account=account, owner=rng.choice(people), title=f"Problem {i}", status="resolved",
                               resolution="Fixed", resolved_at=now)
        for i in range(count))
    handoffs = []
    for session in sessions:
        created = now - timedelta(minutes=rng.randint(60, 56 * 24 * 60))
        engineer = rng.choice([p for p in people if p.pk != session.owner_id])
        picked = created + timedelta(seconds=rng.randint(20, 1200))
        urgency = rng.choice(Urgency.values)
        handoffs.append(Handoff(
            account=account, session=session, requested_by_id=session.owner_id, handed_off_by_id=session.owner_id,
            urgency=urgency, urgency_rank=URGENCY_RANK[Urgency(urgency)], status="resolved", created_at=created,
            claimed_by=engineer, claimed_at=picked, first_claimed_at=picked, first_claimed_by=engineer,
            first_action_at=picked + timedelta(seconds=rng.randint(10, 600)), first_action_kind="note",
            first_action_by=engineer, closed_at=picked + timedelta(minutes=30)))
    Handoff.unscoped.bulk_create(handoffs, batch_size=500)
    BaselineSample.unscoped.bulk_create(BaselineSample(account=account, minutes=m) for m in (18, 25, 31, 41, 52))
    return account


def timed(label, fn, repeat=3):
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print(f"  {label:<28} {best * 1000:8.1f} ms (best of {repeat})")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--escalations", type=int, nargs="+", default=[500, 5000])
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    for count in args.escalations:
        account = build(count)
        print(f"{count} escalations over eight weeks, 12 people, 4 urgencies:")
        report = timed("pilot_metrics", lambda a=account: metrics.pilot_metrics(account=a))
        timed("report_csv", lambda r=report: metrics.report_csv(r))
        timed("weekly_chart", lambda r=report: weekly_chart(r))
        print(f"  {report.headline}")


if __name__ == "__main__":
    main()
