#!/usr/bin/env python
"""Benchmark: the built-in assistant's reply time with 20,000 resolved sessions in the account.

Run: ``.venv/bin/python bench/assistant.py [--sessions 20000] [--replies 200]``. Uses a fresh
temporary SQLite database unless ``DATABASE_URL`` is set (then that database is used as is:
point it at a scratch PostgreSQL database, it is migrated and filled). Prints the seed time,
the index size and the reply time (p50 / p95 / max, ms) of ``assistant.respond`` over ticket
openings and follow-ups from the eval sets, every reply ranking against all 20,000 sessions.
Never asserted anywhere: a benchmark, not a test.
"""

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = [Path("/work/shared/assistant-eval/dev.jsonl"), ROOT / "evals/assistant/cases.jsonl"]

# Problems as technicians write them, with the fixes that resolved them: realistic text so
# that the full-text search finds many rows for a typical query (the slow case).
PROBLEMS = [
    ("Outlook stuck on Loading profile", "Outlook hangs on 'Loading profile' after updates on {host}.",
     "Disabled the {addin} COM add-in and Outlook starts."),
    ("Outlook keeps asking for the password", "Outlook prompts for the password every few minutes on {host}.",
     "Cleared the cached credentials in Credential Manager and re-signed in."),
    ("Printer offline on {host}", "The {printer} shows offline in Windows, jobs stuck in the queue.",
     "Turned off SNMP status on the port and cleared the spooler."),
    ("Print queue stuck", "Jobs stuck in the print queue for the {printer}, spooler keeps stopping.",
     "Cleared the spool folder and restarted the Print Spooler."),
    ("VPN will not connect for {user}", "{vpn} stops at 40% and says the gateway is unreachable.",
     "The home router blocked UDP 4500; switched the tunnel to SSL and it connects."),
    ("Account locked out again", "{user}'s account keeps locking, event 4740 from {host}.",
     "Removed a stale mapped drive with saved credentials on {host}."),
    ("MFA prompt never arrives", "{user} has a new phone and the Authenticator approval never appears.",
     "Removed the old MFA methods and issued a Temporary Access Pass to register again."),
    ("C: drive full on {host}", "Low disk space warnings, C: has 0 bytes free on {host}.",
     "Moved the Outlook OST off C: and ran Disk Cleanup; 40 GB free."),
    ("Laptop very slow", "{host} is painfully slow, 100% disk in Task Manager.",
     "Replaced the spinning disk with an SSD and trimmed start-up apps."),
    ("S: drive missing", "Mapped S: drive shows a red X on {host}, net use says Unavailable.",
     "gpupdate /force and a new sign-in brought the drive map back."),
    ("OneDrive stuck on processing changes", "OneDrive on {host} shows processing changes for a day.",
     "Renamed files with invalid characters and reset OneDrive."),
    ("Teams audio cutting out", "Voice drops out in Teams meetings for {user} on a Bluetooth headset.",
     "Switched the headset to its USB dongle; audio is clean."),
    ("Wi-Fi keeps dropping on {host}", "Wireless disconnects every few minutes on {host}.",
     "Disabled power saving on the Intel adapter and updated its driver."),
    ("DNS not resolving intranet", "Intranet works by IP but not by name on {host}.",
     "DHCP handed out the router as DNS; set the DC as DNS server in the scope."),
    ("New starter setup for {user}", "New hire starts Monday: account, licence and laptop.",
     "Created the account, assigned Business Premium and enrolled the laptop with Autopilot."),
    ("QuickBooks H202 in multi-user mode", "QuickBooks shows H202 opening the company file on {host}.",
     "Opened the QuickBooks Database Server Manager ports in the server firewall."),
    ("Excel file locked for editing", "Excel says the file is locked by another user on {host}.",
     "Closed the orphaned open file handle in Computer Management and deleted the owner file."),
    ("Scan to email fails", "The {printer} cannot send scans by email, authentication error.",
     "Moved scan to email to an SMTP relay connector."),
]
HOSTS = ["PC-{:03d}", "LT-{:03d}", "WS-ENG{:02d}", "FS{:02d}", "RDS{:02d}", "DC{:02d}"]
PRINTERS = ["HP LaserJet M404", "Brother MFC-L2750DW", "Ricoh IM C3000", "Kyocera TASKalfa 2554ci",
            "Canon imageRUNNER C3226"]
VPNS = ["GlobalProtect", "FortiClient", "Cisco AnyConnect", "WireGuard"]
ADDINS = ["Adobe PDFMaker", "Zoom", "Mimecast", "Salesforce"]


def _fill(text: str, rng: random.Random) -> str:
    return text.format(host=rng.choice(HOSTS).format(rng.randint(1, 99)), user=f"user{rng.randint(1, 500)}",
                       printer=rng.choice(PRINTERS), vpn=rng.choice(VPNS), addin=rng.choice(ADDINS))


def seed(count: int) -> tuple[object, object]:
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Account, Role, User
    from sessions_app.assistant import concepts
    from sessions_app.assistant.index import scope_tokens, session_text
    from sessions_app.assistant.ranking import session_profile
    from sessions_app.flows.library import load_library
    from sessions_app.models import SearchEntry, SessionMode, SessionStatus, TroubleshootingSession

    load_library()
    account = Account.objects.create(name="Bench MSP", slug=f"bench-{uuid.uuid4().hex[:6]}")
    user = User.objects.create_user(f"tech-{uuid.uuid4().hex[:6]}@bench.test", password=None, account=account,
                                    role=Role.ENGINEER, display_name="Bench Tech")
    rng = random.Random(13)
    now = timezone.now()
    sessions, entries = [], []
    for number in range(count):
        title, problem, resolution = (_fill(part, rng) for part in rng.choice(PROBLEMS))
        stamp = now - timezone.timedelta(minutes=number)
        session = TroubleshootingSession(
            id=uuid.uuid4(), account=account, owner=user, mode=SessionMode.ASSISTANT, status=SessionStatus.RESOLVED,
            title=title, problem=problem, resolution=resolution, created_at=stamp, resolved_at=stamp)
        sessions.append(session)
    with transaction.atomic():
        TroubleshootingSession.unscoped.bulk_create(sessions, batch_size=2000)
        # The same rows index_session writes; the closest runbook is left out (it costs one
        # ranking per session, paid once at resolve time, not per reply).
        stored = {row.pk: row.updated_at for row in TroubleshootingSession.unscoped.filter(account=account)
                  .only("id", "updated_at")}
        for session in sessions:
            entries.append(SearchEntry(
                account=account, kind="session", object_id=session.pk, slug="", title=session.title,
                text=f"{session_text(session.title, session.problem, session.resolution)}\n"
                     f"{concepts.tokens(session.title + chr(10) + session.problem)}\n"
                     f"{scope_tokens('session', account.pk)}",
                profile=session_profile(session.title, session.problem, session.resolution, []),
                updated_at=stored[session.pk]))
        SearchEntry.entries.bulk_create(entries, batch_size=2000)
    return account, user


def turns() -> list[tuple[str, str, str]]:
    found = []
    for path in CASES:
        if path.exists():
            for line in path.read_text().splitlines():
                if line.strip():
                    case = json.loads(line)
                    found.append((case["title"], case["problem"], case["followup"]))
    return found


def measure(account, replies: int, cpu: list | None = None) -> list[float]:
    from sessions_app.assistant import respond
    from sessions_app.assistant.base import ConversationContext

    cases = turns()
    times = []
    for number in range(replies):
        title, problem, followup = cases[number % len(cases)]
        opening = number % 2 == 0
        context = ConversationContext(
            account_id=account.pk, session_id=uuid.uuid4(), mode="assistant", title=title, problem=problem,
            client_name="", transcript=() if opening else (("tech", problem), ("assistant", "…")), facts={},
            fixes=(), message=problem if opening else followup)
        started, started_cpu = time.perf_counter(), time.process_time()
        respond(context)
        times.append((time.perf_counter() - started) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - started_cpu) * 1000)
    return times


def main(argv: list[str]) -> int:
    sessions = int(argv[argv.index("--sessions") + 1]) if "--sessions" in argv else 20_000
    replies = int(argv[argv.index("--replies") + 1]) if "--replies" in argv else 200
    if os.environ.get("RF_BENCH_CHILD"):
        import django

        django.setup()
        from django.db import connection

        started = time.perf_counter()
        account, _ = seed(sessions)
        print(f"database: {connection.vendor}; seeded {sessions} resolved sessions in "
              f"{time.perf_counter() - started:.1f} s")
        measure(account, 5)  # warm: the process's first replies compile patterns and fill caches
        cpu: list[float] = []
        times = measure(account, replies, cpu)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"assistant reply over {replies} turns (load average {load:.1f} on {os.cpu_count()} CPUs):")
        for label, values in (("wall", times), ("CPU of this process", cpu)):
            ordered = sorted(values)
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            print(f"  {label}: p50 {statistics.median(values):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms")
        return 0
    env = {**os.environ, "DEBUG": "true", "LOG_LEVEL": "WARNING", "ASSISTANT_PROVIDER": "builtin",
           "DJANGO_SETTINGS_MODULE": "resolutionflow.settings", "RF_BENCH_CHILD": "1"}
    folder = None
    if "DATABASE_URL" not in os.environ:
        folder = Path(tempfile.mkdtemp(prefix="rf-bench-"))
        env["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env,  # noqa: S603
                       check=True)
        child = [sys.executable, __file__, *argv]  # our own interpreter and script
        return subprocess.run(child, cwd=ROOT, env=env).returncode  # noqa: S603
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
