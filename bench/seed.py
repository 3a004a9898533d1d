"""Bulk seeder for the benchmarks: one MSP account ("bench") with N sessions (each with two
messages, a fact and a fix), N escalations of which ``--live`` wait in the queue, and
engineers with API tokens.

    DATABASE_URL=... python bench/seed.py --sessions 20000 --handoffs 20000 --engineers 100

Prints one JSON line: {"account": id, "tokens": [key, ...], "session_ids": [...live...]}.
Runs on a migrated, empty database; rows go in with ``bulk_create`` in batches.
"""

import argparse
import json
import os
import sys
import uuid
from pathlib import Path

sys.path.insert(0, os.environ.get("BENCH_APP_ROOT") or str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resolutionflow.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Account, Role, User  # noqa: E402
from accounts.services.api_tokens import api_token_create  # noqa: E402
from handoffs.models import Handoff, HandoffStatus  # noqa: E402
from sessions_app.models import Fact, Fix, Message, MessageKind, TroubleshootingSession  # noqa: E402

BATCH = 2000


def seed(*, sessions: int, handoffs: int, live: int, engineers: int, accounts: int = 1) -> dict:
    now = timezone.now()
    result = {"accounts": []}
    for a in range(accounts):
        account = Account.objects.create(name=f"Bench MSP {a}", slug=f"bench-{a}-{uuid.uuid4().hex[:6]}")
        users = [User(email=f"tech{i}-{account.slug}@bench.example", display_name=f"Tech {i}", account=account,
                      role=Role.ENGINEER) for i in range(max(engineers, 2))]
        for user in users:
            user.set_unusable_password()
        User.objects.bulk_create(users)
        tokens = [api_token_create(user=user, name="bench").key for user in users]
        owner = users[0]  # owns every session; the others (tokens[1:]) may claim its escalations
        live_session_ids = []
        with transaction.atomic():
            for start in range(0, sessions, BATCH):
                rows = [TroubleshootingSession(
                    account=account, owner=owner, title=f"Outlook will not start #{i}",
                    problem="Outlook hangs on 'Loading profile' since this morning. " * 4,
                    client_name=f"Client {i % 300}", ticket_ref=f"T-{i}",
                    created_at=now - timezone.timedelta(minutes=sessions - i),
                ) for i in range(start, min(start + BATCH, sessions))]
                TroubleshootingSession.unscoped.bulk_create(rows)
                Message.unscoped.bulk_create(
                    [Message(account=account, session=s, author=owner, kind=MessageKind.TECH,
                             body="Tried outlook.exe /safe, same hang.") for s in rows]
                    + [Message(account=account, session=s, kind=MessageKind.ASSISTANT,
                               body="Check the COM add-ins next.") for s in rows])
                Fact.unscoped.bulk_create([Fact(account=account, session=s, key="os", value="Windows 11")
                                           for s in rows])
                Fix.unscoped.bulk_create([Fix(account=account, session=s, title="Disable COM add-ins")
                                          for s in rows])
                closed = min(handoffs, sessions - live)  # the newest ``live`` sessions stay free
                if start < closed:
                    escalated = rows[: max(0, min(len(rows), closed - start))]
                    Handoff.unscoped.bulk_create([Handoff(
                        account=account, session=s, requested_by=s.owner, handed_off_by=s.owner,
                        note="Stuck after the reinstall", context={"facts": [{"key": "os", "value": "Windows 11"}],
                                                                   "transcript": ["Tried safe mode"] * 20},
                        status=HandoffStatus.RESOLVED, closed_at=now,
                    ) for s in escalated])
            # the live ones: the newest sessions, each with one open escalation
            newest = list(TroubleshootingSession.unscoped.filter(account=account).exclude(
                handoffs__isnull=False).order_by("-created_at")[:live])
            Handoff.unscoped.bulk_create([Handoff(
                account=account, session=s, requested_by=s.owner, handed_off_by=s.owner, note="Needs a senior",
                context={"facts": [], "transcript": []}, status=HandoffStatus.OPEN) for s in newest])
            live_session_ids = [str(s.pk) for s in newest]
        free = TroubleshootingSession.unscoped.filter(account=account, handoffs__isnull=True).order_by("-created_at")
        result["accounts"].append({"account": str(account.pk), "tokens": tokens, "live_sessions": live_session_ids,
                                   "free_sessions": [str(pk) for pk in free.values_list("pk", flat=True)[:200]]})
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--handoffs", type=int, default=0, help="closed escalations (history of the queue)")
    parser.add_argument("--live", type=int, default=20, help="open escalations in the queue")
    parser.add_argument("--engineers", type=int, default=20)
    parser.add_argument("--accounts", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(seed(sessions=args.sessions, handoffs=args.handoffs, live=args.live,
                          engineers=args.engineers, accounts=args.accounts)))


if __name__ == "__main__":
    main()
