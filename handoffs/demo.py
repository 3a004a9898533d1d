"""Demo escalations for ``manage.py seed_demo`` (see ``accounts.demo``).

Northwind IT's queue the way a pilot morning looks: a critical escalation nobody has picked
up for 40 minutes (past the 15-minute alert threshold, so ``escalation_sweep`` alerts it), a
fresh normal one, one Sam has picked up and started on, one he handed back to Jamie with
what to do next, and one he resolved; plus the manual baseline the MSP measured before the
pilot, so the metrics have something to beat, and eight weeks of earlier escalations
(``DEMO-5…``, made up from a fixed seed) so the metrics page shows a real picture.

Each escalation has its own session, keyed on its ticket reference (``DEMO-3…``), so a
second seed creates nothing. Everything goes through the services (escalate, claim, a note
as the first action, return, resolve); afterwards the timestamps move back onto a demo
timeline, since the services stamp the instant of the seed.
"""

import math
import random
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Account, User
from accounts.timezones import day_start
from sessions_app import services as session_services
from sessions_app.models import Fact, Fix, FixStatus, Message, MessageKind, SessionMode, TroubleshootingSession

from . import context as handoff_context
from . import services
from .models import URGENCY_RANK, BaselineSample, EventKind, Handoff, HandoffEvent, Urgency

JAMIE = "jamie.junior@demo.resolutionflow.test"
SAM = "sam.senior@demo.resolutionflow.test"
ADA = "ada.admin@demo.resolutionflow.test"


@dataclass(frozen=True)
class DemoEscalation:
    ticket_ref: str
    client: str
    title: str
    problem: str
    facts: tuple[tuple[str, str], ...]
    failed_fixes: tuple[tuple[str, str], ...]  # (title, outcome)
    note: str
    urgency: str
    ago: timedelta  # escalated this long before the seed
    outcome: str = "open"  # open | claimed | returned | resolved
    # Minutes after the escalation: picked up, first action, closed.
    claimed_after: int = 0
    acted_after: int = 0
    closed_after: int = 0
    first_action: str = ""  # Sam's note in the session
    closing: str = ""  # the return note or the resolution
    # The history behind the metrics page: who escalated and who picked it up (emails;
    # default Jamie and Sam), and a colleague who picked it up first and released it.
    requester: str = ""
    engineer: str = ""
    released_by: str = ""
    released_after: float = 0
    reclaimed_after: float = 0


ESCALATIONS = (
    DemoEscalation(
        "DEMO-3001", "Harbor Dental", "Nobody at Harbor Dental receives outside email",
        "Since about 7:30 no external email reaches any Harbor Dental mailbox; internal mail works. "
        "Patients' appointment confirmations are bouncing.",
        facts=(("product", "Exchange Online"), ("mx_record", "harbordental-test.mail.protection.outlook.com"),
               ("ndr_code", "550 5.4.1")),
        failed_fixes=(("Check the MX record and the accepted domain", "MX and accepted domain look right"),),
        note="Bounces say 550 5.4.1 Recipient address rejected: Access denied. I have no access to the "
             "Exchange admin center for this tenant.",
        urgency="critical", ago=timedelta(minutes=40),
    ),
    DemoEscalation(
        "DEMO-3002", "Bayside Property Management", "Shared calendar not updating for the leasing team",
        "Leasing team's shared viewing calendar stopped updating on two laptops; the web shows new bookings.",
        facts=(("product", "Outlook"), ("os", "Windows 11")),
        failed_fixes=(("Remove and re-add the shared calendar", "Still shows last week's bookings"),),
        note="Both laptops are on the same Outlook build; not sure whether to rebuild profiles or wait.",
        urgency="normal", ago=timedelta(minutes=6),
    ),
    DemoEscalation(
        "DEMO-3003", "Meyer & Sons Logistics", "Warehouse scanners drop off Wi-Fi every few minutes",
        "Zebra handheld scanners in the warehouse lose Wi-Fi every few minutes since the access points "
        "were updated on Friday.",
        facts=(("device", "Zebra TC52"), ("access_point", "UniFi U6-LR"), ("firmware", "6.6.55")),
        failed_fixes=(("Forget and rejoin the warehouse SSID", "Drops again within five minutes"),),
        note="Started right after Friday's AP firmware update. Rolling back would need the controller login.",
        urgency="high", ago=timedelta(minutes=24), outcome="claimed", claimed_after=5, acted_after=9,
        first_action="Checking the controller: the firmware enabled 802.11r fast roaming on the warehouse "
                     "SSID; the TC52s are known to struggle with it.",
    ),
    DemoEscalation(
        "DEMO-3004", "Pinecrest Law Group", "Document management add-in missing from Word",
        "The iManage add-in vanished from Word for one paralegal after the Microsoft 365 update.",
        facts=(("product", "Word, iManage Work"), ("office_build", "16.0.17328.20184")),
        failed_fixes=(("Repair Microsoft 365 Apps (quick repair)", "Add-in still missing"),),
        note="Add-in shows as 'inactive' and re-enabling it does not stick.",
        urgency="normal", ago=timedelta(days=1, hours=2), outcome="returned", claimed_after=11, acted_after=14,
        closed_after=20, first_action="Looked at the registry: LoadBehavior for the add-in is 2 after every start.",
        closing="Word disables the add-in because it loads slowly: set LoadBehavior to 3 under "
                "HKCU\\Software\\Microsoft\\Office\\Word\\Addins\\iManage.WorkAddin, then add it to the "
                "'Do not disable' list in File > Options > Add-ins. Call me if it drops again.",
    ),
    DemoEscalation(
        "DEMO-3005", "Alder Creek Veterinary", "Practice management server unreachable after reboot",
        "After last night's patching the practice management server (ACV-APP01) does not answer; the clinic "
        "runs on paper.",
        facts=(("hostname", "ACV-APP01"), ("os", "Windows Server 2019"), ("event_id", "7000")),
        failed_fixes=(("Restart the application service", "Service fails to start: error 1069 (logon failure)"),),
        note="Service won't start with a logon failure; clinic is on paper, please hurry.",
        urgency="critical", ago=timedelta(days=2, hours=5), outcome="resolved", claimed_after=3, acted_after=5,
        closed_after=17, first_action="The service account's password expired overnight (event 7000, 1069).",
        closing="The service account's password had expired during patching. Reset it, set it to never "
                "expire per the vendor's guide, updated the service logon, and the application is back.",
    ),
)

BASELINE_MINUTES = (18, 22, 25, 27, 31, 35, 41, 52)

# Eight weeks of escalations behind the metrics page, made up the same way every time (a
# fixed seed): weekdays in office hours, picked up faster as the pilot settles in, a few
# cancelled, a few released and picked up again, some handed back instead of resolved.
HISTORY_WEEKS = 8
HISTORY_PREFIX = "DEMO-5"  # ticket references DEMO-5001…
HISTORY_SEED = 8
HISTORY_PROBLEMS = (
    ("Fabrikam Dental", "Outlook keeps asking for a password", "Outlook prompts for credentials every few minutes "
     "since this morning on three PCs.", "Modern auth looks on; not sure what else to check."),
    ("Harbor Dental", "Scanner to email stopped working", "The copier's scan-to-email fails with an SMTP "
     "authentication error.", "SMTP AUTH seems disabled for the tenant; do we re-enable it or use a relay?"),
    ("Bayside Property", "VPN connects but no internal sites", "Remote staff connect to the VPN but cannot open "
     "intranet sites.", "Tunnel is up, DNS resolves to public addresses."),
    ("Meyer & Sons Logistics", "Label printer prints blank pages", "The Zebra label printer in dispatch feeds blank "
     "labels after a driver update.", "Rolled back the driver, still blank."),
    ("Pinecrest Law Group", "OneDrive sync stuck on processing changes", "A partner's OneDrive shows 'processing "
     "changes' for two days.", "Reset the client twice; the log mentions a path too long."),
    ("Alder Creek Veterinary", "Shared drive mapping missing at logon", "The S: drive no longer maps at logon "
     "for the front desk.", "GPO looks applied; gpresult shows the drive map was filtered."),
    ("Contour Architects", "Teams calls drop after one minute", "Teams calls drop after about a minute in the "
     "office, fine at home.", "Firewall was changed last week; I cannot see its config."),
    ("Lakeside Clinic", "New laptop fails Autopilot enrolment", "A new laptop stops at 'Securing your hardware' "
     "during Autopilot.", "TPM attestation error 0x81039001; not sure about the fix."),
)

# What fixed each history problem: the resolution the assistant offers for a similar case,
# so it must say what was done (a placeholder taught it an empty answer).
HISTORY_RESOLUTIONS = {
    "Outlook keeps asking for a password": "Stale cached credentials after the tenant's MFA change: removed the "
    "MicrosoftOffice16 entries from Credential Manager, signed out of Office, restarted Outlook and signed in "
    "with MFA once.",
    "Scanner to email stopped working": "SMTP AUTH is off for the tenant: pointed the copier at the SMTP relay "
    "(port 25, the office's static IP allowed in the connector) instead of re-enabling basic auth.",
    "VPN connects but no internal sites": "The VPN profile handed out public DNS: set the internal DNS servers and "
    "the domain suffix in the VPN's DNS settings, then reconnected.",
    "Label printer prints blank pages": "The new driver switched the media to thermal transfer: set Media Type to "
    "Direct Thermal in the printer preferences and ran a calibration (hold Feed for two flashes).",
    "OneDrive sync stuck on processing changes": "Paths over 400 characters blocked sync: shortened the deep "
    "client folder names, then reset OneDrive (onedrive.exe /reset).",
    "Shared drive mapping missing at logon": "The front-desk PCs fell out of the mapping's item-level targeting "
    "group: added them back to the security group, then gpupdate /force and a logoff.",
    "Teams calls drop after one minute": "The firewall change shortened the UDP session timeout: raised it to "
    "120 s for UDP 3478-3481 and allowed Teams media to the Microsoft ranges.",
    "New laptop fails Autopilot enrolment": "TPM attestation error 0x81039001: updated the BIOS and TPM firmware, "
    "cleared the TPM, then reset the device and re-ran Autopilot.",
}


def demo_escalations_ensure(accounts: Mapping[str, Account], **_signal) -> str | None:
    """The loader ``seed_demo`` runs (connected in ``HandoffsConfig.ready``)."""
    account = accounts.get("demo")
    if account is None:
        return None
    people = {user.email: user for user in User.objects.filter(account=account, email__in=[JAMIE, SAM, ADA])}
    if len(people) < 3:
        return None
    created = [spec for spec in ESCALATIONS
               if not TroubleshootingSession.objects.for_account(account).filter(ticket_ref=spec.ticket_ref).exists()]
    for spec in created:
        _play(spec, account, people)
    history = _history_ensure(account, people)
    samples = _baseline_ensure(account, people[ADA])
    lines = []
    if history:
        lines.append(f"Demo history: {history} escalations over the last {HISTORY_WEEKS} weeks in {account.name}.")
    if created:
        lines.append(f"Demo escalations: {len(created)} created in {account.name} "
                     f"({', '.join(sorted({spec.outcome for spec in created}))}).")
    if samples:
        lines.append(f"Demo baseline: {samples} manual measurements in {account.name}.")
    return " ".join(lines) or None


def _play(spec: DemoEscalation, account: Account, people: Mapping[str, User]) -> Handoff:
    jamie, sam = people[spec.requester or JAMIE], people[spec.engineer or SAM]
    session = session_services.session_create(
        account=account, owner=jamie, mode=SessionMode.ASSISTANT, title=spec.title, problem=spec.problem,
        client_name=spec.client, ticket_ref=spec.ticket_ref)
    for key, value in spec.facts:
        session_services.fact_set(session=session, actor=jamie, key=key, value=value)
    for title, outcome in spec.failed_fixes:
        fix = session_services.fix_propose(session=session, actor=jamie, title=title)
        fix = session_services.fix_set_status(fix=fix, actor=jamie, status=FixStatus.ACTIVE)
        session_services.fix_set_status(fix=fix, actor=jamie, status=FixStatus.FAILED, outcome_note=outcome)
    session.refresh_from_db()
    # History weeks old is raised as "normal" and given its urgency afterwards: seeding must
    # not email the engineers about fifty escalations that were dealt with long ago.
    history = spec.ticket_ref.startswith(HISTORY_PREFIX)
    handoff = services.handoff_escalate(session=session, actor=jamie, note=spec.note,
                                        urgency=Urgency.NORMAL if history else spec.urgency)
    if history and spec.urgency != Urgency.NORMAL:
        Handoff.objects.for_account(account).filter(pk=handoff.pk).update(
            urgency=spec.urgency, urgency_rank=URGENCY_RANK[Urgency(spec.urgency)])
        # A fresh object from here on: the notification waiting for the commit keeps the one
        # it was given, still "normal", which later services would otherwise refresh.
        handoff = Handoff.objects.for_account(account).get(pk=handoff.pk)
    if spec.outcome == "cancelled":
        services.handoff_cancel(handoff=handoff, actor=jamie, note=spec.closing)
    elif spec.outcome != "open":
        if spec.released_by:
            services.handoff_claim(handoff=handoff, actor=people[spec.released_by])
            services.handoff_release(handoff=handoff, actor=people[spec.released_by])
        services.handoff_claim(handoff=handoff, actor=sam)
        session.refresh_from_db()
        session_services.message_post(session=session, actor=sam, body=spec.first_action, kind=MessageKind.NOTE)
        if spec.outcome == "returned":
            services.handoff_return(handoff=handoff, actor=sam, note=spec.closing)
        elif spec.outcome == "resolved":
            services.handoff_resolve(handoff=handoff, actor=sam, resolution=spec.closing)
    _onto_timeline(spec, handoff)
    return handoff


def _onto_timeline(spec: DemoEscalation, handoff: Handoff) -> None:
    """Move the escalation, its events, its session and the session's lines back to when the
    story says they happened (the services stamped them all within the seed's millisecond)."""
    account = handoff.account
    escalated = timezone.now() - spec.ago
    started = escalated - timedelta(minutes=25)  # the technician worked on it a while first

    def at(minutes):
        return escalated + timedelta(minutes=minutes)

    handoff.refresh_from_db()
    claims = [at(spec.claimed_after)] + ([at(spec.reclaimed_after)] if spec.released_by else [])
    when = {EventKind.CREATED: escalated, EventKind.CLAIMED: claims[-1], EventKind.RELEASED: at(spec.released_after),
            EventKind.FIRST_ACTION: at(spec.acted_after), EventKind.RETURNED: at(spec.closed_after),
            EventKind.RESOLVED: at(spec.closed_after), EventKind.CANCELLED: at(spec.closed_after)}
    events = list(HandoffEvent.objects.for_account(account).filter(handoff=handoff).order_by("id"))
    first_claim = next((event for event in events if event.kind == EventKind.CLAIMED), None)
    # A service writes its transcript line just before its event: each line after the
    # escalation moves to the time of the next event; the lines before it, to the session's start.
    messages = list(Message.objects.for_account(account).filter(session_id=handoff.session_id).order_by("created_at"))
    for number, message in enumerate(messages):
        if message.created_at < handoff.created_at:
            message.created_at = started + timedelta(minutes=2 * number)
            continue
        following = next((event for event in events if event.created_at >= message.created_at), events[-1])
        message.created_at = when.get(following.kind, escalated)
    Message.objects.for_account(account).bulk_update(messages, ["created_at"])
    for event in events:
        event.created_at = claims[0] if event is first_claim else when.get(event.kind, escalated)
    HandoffEvent.objects.for_account(account).bulk_update(events, ["created_at"])
    for model in (Fact, Fix):
        model.objects.for_account(account).filter(session_id=handoff.session_id).update(
            created_at=started + timedelta(minutes=5), updated_at=started + timedelta(minutes=15))
    Fix.objects.for_account(account).filter(session_id=handoff.session_id).exclude(outcome_at=None).update(
        outcome_at=started + timedelta(minutes=15))

    context = {**handoff.context, "taken_at": escalated.isoformat(), "session_minutes": 25}
    context["summary"] = handoff_context.summarise(context, escalated_by=handoff.handed_off_by.name)
    stamps = {"created_at": escalated, "context": context}
    if handoff.claimed_at:
        stamps["claimed_at"] = claims[-1]
    if handoff.first_claimed_at:
        stamps["first_claimed_at"] = claims[0]
    if handoff.first_action_at:
        stamps["first_action_at"] = at(spec.acted_after)
    if handoff.closed_at:
        stamps["closed_at"] = at(spec.closed_after)
    Handoff.objects.for_account(account).filter(pk=handoff.pk).update(**stamps)
    session_changes = {"created_at": started,
                       "updated_at": max([escalated, *(message.created_at for message in messages)])}
    if spec.outcome == "resolved":
        session_changes["resolved_at"] = stamps["closed_at"]
    TroubleshootingSession.objects.for_account(account).filter(pk=handoff.session_id).update(**session_changes)


def history_specs(*, now=None, time_zone: str = "Europe/London") -> list[DemoEscalation]:
    """The history's escalations, from ``HISTORY_WEEKS`` weeks ago to three days ago."""
    rng = random.Random(HISTORY_SEED)  # noqa: S311 - demo data, reproducible on purpose
    zone = zoneinfo.ZoneInfo(time_zone)
    now = now or timezone.now()
    today = now.astimezone(zone).date()
    specs = []
    first_day = today - timedelta(days=HISTORY_WEEKS * 7 - 1)
    for offset in range(HISTORY_WEEKS * 7 - 3):
        day = first_day + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        progress = offset / (HISTORY_WEEKS * 7)  # 0 at the start of the pilot, 1 now
        for _ in range(rng.choice((1, 1, 2))):
            number = len(specs) + 1
            client, title, problem, note = rng.choice(HISTORY_PROBLEMS)
            escalated = day_start(day, zone) + timedelta(hours=8, minutes=rng.randint(30, 8 * 60))
            pick_up = max(0.3, (7.5 - 5 * progress) * math.exp(rng.gauss(0, 0.45)))
            acted = pick_up + rng.uniform(0.5, 3.5)
            closed = acted + rng.uniform(4, 45)
            requester = JAMIE if rng.random() < 0.75 else SAM
            engineer = (SAM if rng.random() < 0.8 else ADA) if requester == JAMIE else (ADA if rng.random() < 0.6
                                                                                       else JAMIE)
            roll = rng.random()
            outcome = "cancelled" if roll < 0.06 else "returned" if roll < 0.18 else "resolved"
            released = outcome != "cancelled" and rng.random() < 0.06
            specs.append(DemoEscalation(
                f"{HISTORY_PREFIX}{number:03d}", client, title, problem, facts=(), failed_fixes=(), note=note,
                urgency=rng.choice(("normal", "normal", "normal", "high", "high", "low", "critical")),
                ago=now - escalated, outcome=outcome,
                claimed_after=round(pick_up, 2),
                released_after=round(pick_up + 0.5, 2) if released else 0,
                reclaimed_after=round(pick_up + rng.uniform(1, 4), 2) if released else 0,
                acted_after=round(acted + (4 if released else 0), 2),
                closed_after=round(rng.uniform(5, 30), 2) if outcome == "cancelled" else round(closed + 4, 2),
                first_action="Looking at it now: checking the logs first.",
                closing=("Sorted it myself before anyone picked it up." if outcome == "cancelled" else
                         "Try the vendor's documented reset, then call me if it recurs." if outcome == "returned"
                         else HISTORY_RESOLUTIONS[title]),
                requester=requester, engineer=engineer,
                released_by=next(p for p in (ADA, SAM, JAMIE) if p not in (requester, engineer)) if released else "",
            ))
    return specs


def _history_ensure(account: Account, people: Mapping[str, User]) -> int:
    if TroubleshootingSession.objects.for_account(account).filter(ticket_ref__startswith=HISTORY_PREFIX).exists():
        return 0
    specs = history_specs(time_zone=account.time_zone)
    for spec in specs:
        _play(spec, account, people)
    return len(specs)


def _baseline_ensure(account: Account, admin: User) -> int:
    if BaselineSample.objects.for_account(account).exists():
        return 0
    today = timezone.localdate()
    for number, minutes in enumerate(BASELINE_MINUTES):
        services.baseline_sample_create(
            account=account, actor=admin, minutes=Decimal(minutes),
            measured_on=today - timedelta(days=HISTORY_WEEKS * 7 + 4 + 3 * number),  # before the pilot
            note="Timed from the Teams message 'can someone look at…' to a senior's first reply (before the pilot).")
    return len(BASELINE_MINUTES)
