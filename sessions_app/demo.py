"""Demo troubleshooting sessions for ``manage.py seed_demo`` (see ``accounts.demo``).

Northwind IT's technicians get the day a pilot would show: Jamie (junior) in the middle of
an Outlook problem that has beaten two fixes, a VPN call waiting on the user, FlowPilot walks
partway through starter runbooks; Sam (senior) with resolved sessions whose resolutions the
assistant can learn from. Contoso MSP gets one session of its own, which nobody at
Northwind may ever see.

Every session is keyed on its PSA ticket reference (``DEMO-…``) within its account, so a
second seed creates nothing. Sessions, facts, fixes, notes, flow answers and resolutions go
through the services. Scripted transcript lines (the technician's messages and the
assistant's replies) are written as rows: ``message_post`` would ask the assistant for a
fresh reply to each, which is slow with a hosted provider and not the conversation scripted
here.
"""

import bisect
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import Account, User

from .models import Fact, FactSource, Fix, FixStatus, Flow, Message, MessageKind, SessionMode, TroubleshootingSession
from .services import fact_set, fix_propose, fix_set_status, flow_answer, message_post, session_create, session_resolve
from .services.facts_fixes import fact_upsert, fix_create

JAMIE = "jamie.junior@demo.resolutionflow.test"
SAM = "sam.senior@demo.resolutionflow.test"
OLGA = "olga.admin@outsider.resolutionflow.test"


@dataclass(frozen=True)
class DemoSession:
    """One scripted session. ``beats`` are played in order:

    ``("tech", text)`` and ``("assistant", text)``: transcript lines; ``("note", text)``: a
    note; ``("fact", key, value)``: a fact the technician sets; ``("extracted", key, value)``:
    one the assistant picked out; ``("suggest", title, steps, source)``: the assistant proposes
    a fix; ``("propose", title, steps)``: the technician does; ``("try", title)``: make it the
    active fix; ``("worked" | "failed" | "skipped", title, note)``: its outcome;
    ``("answer", option)``: answer the current FlowPilot step.
    """

    account: str  # slug of the demo account
    ticket_ref: str
    owner: str  # email of a demo login
    client: str
    title: str
    problem: str
    started: timedelta  # how long before the seed the session began
    pace: timedelta  # the usual gap between two things happening in it
    beats: tuple = ()
    flow: str = ""  # a starter runbook's slug for FlowPilot sessions
    resolution: str = ""


OUTLOOK_FLOW, VPN_FLOW, PRINTER_FLOW = "Flow: Outlook will not start", "Flow: VPN will not connect", \
    "Flow: Printer offline or print queue stuck"

DEMO_SESSIONS = (
    DemoSession(
        "demo", "DEMO-1042", JAMIE, "Harbor Dental", "Outlook stuck on 'Loading profile' at the front desk",
        "Front desk PC at Harbor Dental: Outlook hangs on 'Loading profile' since this morning's updates. "
        "Windows 11 23H2, Microsoft 365 Apps. Outlook on the web works for the user.",
        started=timedelta(minutes=55), pace=timedelta(minutes=3),
        beats=(
            ("extracted", "os", "Windows 11"), ("extracted", "os_version", "23H2"),
            ("extracted", "product", "Outlook"),
            ("assistant", "One user, and Outlook on the web works: the mailbox is fine, so look at this PC's Outlook "
                          "profile or an add-in. From the runbook “Outlook will not start”: start Outlook in safe "
                          "mode (Win+R, outlook.exe /safe). Does it open? And which build is installed (File > "
                          "Office Account > About Outlook)?"),
            ("suggest", "Start Outlook in safe mode and disable COM add-ins",
             "Win+R: outlook.exe /safe\nIf it opens: File > Options > Add-ins > COM Add-ins > Go\n"
             "Untick every third-party add-in and start Outlook normally", OUTLOOK_FLOW),
            ("fact", "hostname", "HD-FRONT-02"),
            ("try", "Start Outlook in safe mode and disable COM add-ins"),
            ("tech", "Safe mode hangs too, same 'Loading profile'. Build is 16.0.17328.20184. The Application log "
                     "has event 1002 (Application Hang) for OUTLOOK.EXE."),
            ("extracted", "office_build", "16.0.17328.20184"), ("extracted", "event_id", "1002"),
            ("failed", "Start Outlook in safe mode and disable COM add-ins",
             "Hangs in safe mode as well, so it is not an add-in."),
            ("assistant", "Hanging in safe mode rules the add-ins out. Next in “Outlook will not start”: reset the "
                          "navigation pane, then rebuild the offline data file (.ost). A resolved session at "
                          "Meyer & Sons last month had the same hang after an update and was fixed by a rebuilt "
                          ".ost."),
            ("suggest", "Reset the navigation pane", "Close Outlook\nWin+R: outlook.exe /resetnavpane", OUTLOOK_FLOW),
            ("suggest", "Rebuild the offline data file (.ost)",
             "Close Outlook\nRename %localappdata%\\Microsoft\\Outlook\\<mailbox>.ost to .ost.old\n"
             "Start Outlook and let it download the mailbox again", OUTLOOK_FLOW),
            ("try", "Reset the navigation pane"),
            ("failed", "Reset the navigation pane", "/resetnavpane ran; still stuck on 'Loading profile'."),
            ("try", "Rebuild the offline data file (.ost)"),
            ("tech", "Renamed the .ost (9.4 GB). Outlook now sits on 'Processing' for ten minutes. Is that normal?"),
            ("assistant", "A 9.4 GB mailbox can take half an hour or more to download on the first start, and "
                          "'Processing' with disk activity is normal while it does. If it is still stuck after "
                          "that, the runbook's next steps are a new Outlook profile (Control Panel > Mail > Show "
                          "Profiles > Add), then a repair of Microsoft 365 Apps."),
        ),
    ),
    DemoSession(
        "demo", "DEMO-1043", JAMIE, "Meyer & Sons Logistics", "GlobalProtect will not connect from home",
        "Dieter (warehouse manager) at Meyer & Sons can't connect GlobalProtect from home since yesterday: "
        "'Gateway meyer-gw01 unreachable'. His internet works. ThinkPad T14, Windows 10 22H2.",
        started=timedelta(hours=2, minutes=10), pace=timedelta(minutes=4),
        beats=(
            ("extracted", "vpn_client", "GlobalProtect"), ("extracted", "os", "Windows 10"),
            ("extracted", "os_version", "22H2"),
            ("assistant", "The internet works but the gateway is unreachable. From “VPN will not connect”: find out "
                          "whether the gateway answers from another network before touching the client. Which "
                          "GlobalProtect version is installed, and has anything changed on the user's home network?"),
            ("propose", "Clear the GlobalProtect cache and add the portal again",
             "Quit GlobalProtect\nDelete %localappdata%\\Palo Alto Networks\\GlobalProtect\nStart it and enter "
             "the portal address again"),
            ("try", "Clear the GlobalProtect cache and add the portal again"),
            ("failed", "Clear the GlobalProtect cache and add the portal again",
             "Same 'gateway unreachable' after clearing the cache and adding the portal."),
            ("tech", "GlobalProtect 6.1.3. I connected fine with his account from the office guest Wi-Fi, so the "
                     "gateway is up. He got a new Vodafone router on Monday."),
            ("fact", "vpn_client", "GlobalProtect 6.1.3"),
            ("assistant", "Reachable from elsewhere but not from the user's network: the runbook ends this branch "
                          "at “the user's local network blocks the VPN”. A new router often blocks IPsec (UDP "
                          "4501) or hands out a subnet that clashes with the office's. Confirm with his phone's "
                          "hotspot."),
            ("suggest", "Test the VPN over the phone's hotspot",
             "Connect the laptop to the phone's hotspot\nConnect GlobalProtect\nIf it connects, the home router "
             "is the cause", VPN_FLOW),
            ("try", "Test the VPN over the phone's hotspot"),
            ("worked", "Test the VPN over the phone's hotspot", "Connects over the hotspot in seconds."),
            ("propose", "Allow IPsec passthrough on the Vodafone router",
             "Router admin page > Firewall > VPN passthrough: enable IPsec\nCheck the LAN subnet is not 10.20.0.0/16"),
            ("note", "Dieter calls back at 14:00 with the router's admin password; he works over the hotspot "
                     "until then."),
        ),
    ),
    DemoSession(
        "demo", "DEMO-1051", SAM, "Meyer & Sons Logistics", "OneDrive sign-in error 0x8004de40 on the dispatch PC",
        "Dispatch PC at Meyer & Sons: OneDrive shows signed out and sign-in fails with error 0x8004de40. "
        "Outlook and Teams work on the same PC.",
        started=timedelta(minutes=25), pace=timedelta(minutes=2),
        beats=(
            ("extracted", "error_code", "0x8004de40"), ("extracted", "product", "OneDrive, Outlook, Teams"),
            ("assistant", "0x8004de40 means OneDrive could not reach Microsoft 365 to sign in, usually TLS settings "
                          "or a proxy, since Outlook and Teams sign in fine. From “OneDrive not syncing”: check "
                          "Internet Options > Advanced (TLS 1.2 on) and Connections > LAN settings (no stale "
                          "proxy)."),
            ("suggest", "Turn TLS 1.2 on and remove the stale proxy",
             "inetcpl.cpl > Advanced: tick Use TLS 1.2\nConnections > LAN settings: untick the proxy\n"
             "Restart OneDrive and sign in", "Flow: OneDrive not syncing"),
            ("fact", "hostname", "MSL-DISPATCH-01"),
        ),
    ),
    DemoSession(
        "demo", "DEMO-1038", SAM, "Harbor Dental", "Reception printer shows Offline",
        "Reception can't print to the Brother MFC-L2750DW: Windows says 'Offline'. The other PCs print to it.",
        started=timedelta(days=3, hours=5), pace=timedelta(minutes=6),
        beats=(
            ("extracted", "printer", "Brother MFC-L2750DW"),
            ("assistant", "Others can print, so the printer and the network are fine. From “Printer offline or "
                          "print queue stuck”: clear the stuck jobs and restart the Print Spooler on this PC."),
            ("suggest", "Clear the queue and restart the Print Spooler",
             "services.msc: stop Print Spooler\nDelete C:\\Windows\\System32\\spool\\PRINTERS\\*\n"
             "Start Print Spooler and print a test page", PRINTER_FLOW),
            ("fact", "hostname", "HD-RECEPTION-01"), ("fact", "ip_address", "192.168.10.45"),
            ("try", "Clear the queue and restart the Print Spooler"),
            ("failed", "Clear the queue and restart the Print Spooler",
             "Queue is empty and the spooler restarted, still 'Offline'."),
            ("assistant", "Still 'Offline' with an empty queue: the runbook's next step is SNMP status on the "
                          "printer port. Windows marks Brother printers offline when SNMP answers differ."),
            ("suggest", "Turn off SNMP status on the printer port",
             "Printer properties > Ports > Configure Port\nUntick 'SNMP Status Enabled'", PRINTER_FLOW),
            ("try", "Turn off SNMP status on the printer port"),
            ("worked", "Turn off SNMP status on the printer port",
             "Unticked SNMP status on the TCP/IP port; shows online and the test page printed."),
        ),
        resolution="Windows showed the Brother offline because of SNMP status on its TCP/IP port (192.168.10.45). "
                   "Turned SNMP status off on the port; the test page printed.",
    ),
    DemoSession(
        "demo", "DEMO-1029", SAM, "Alder Creek Veterinary", "Practice manager locked out every morning",
        "Karen (practice manager) at Alder Creek Veterinary is locked out of her AD account every morning around "
        "8:15. Unlocking works until the next day.",
        started=timedelta(days=6, hours=2), pace=timedelta(minutes=7),
        beats=(
            ("assistant", "A lockout that comes back after every unlock has a source. From “Account locked out "
                          "(Active Directory)”: find it with event 4740 on the PDC emulator; the Caller Computer "
                          "Name is the machine sending the old password."),
            ("tech", "Event 4740 on ACV-DC01 names ACV-SURGERY-PC3, the surgery PC she used before her laptop."),
            ("extracted", "event_id", "4740"), ("extracted", "hostname", "ACV-DC01, ACV-SURGERY-PC3"),
            ("suggest", "Remove stale credentials on ACV-SURGERY-PC3",
             "Credential Manager: remove saved Windows credentials for her account\nRemove persistent drive maps\n"
             "Sign out her disconnected sessions", "Flow: Account locked out (Active Directory)"),
            ("try", "Remove stale credentials on ACV-SURGERY-PC3"),
            ("worked", "Remove stale credentials on ACV-SURGERY-PC3",
             "A persistent drive map with her old password and a disconnected session; removed both."),
            ("note", "Checked the next morning: no lockout."),
        ),
        resolution="Stale saved credentials on ACV-SURGERY-PC3 (a persistent drive map and a disconnected "
                   "session) kept sending her old password. Removed them; no lockout since.",
    ),
    DemoSession(
        "demo", "DEMO-1047", JAMIE, "Pinecrest Law Group", "Teams: nobody hears the partner on calls",
        "A partner at Pinecrest Law Group: on Teams calls nobody can hear him. Jabra Evolve2 65 headset; it "
        "worked last week.",
        started=timedelta(days=1, hours=3), pace=timedelta(minutes=5),
        beats=(
            ("extracted", "product", "Teams"),
            ("assistant", "From “Teams audio or video problems”: check that Teams uses the Jabra (Settings > "
                          "Devices) and make a test call."),
            ("suggest", "Select the headset in Teams and make a test call",
             "Teams > Settings > Devices: pick the Jabra for speaker and microphone\nMake a test call",
             "Flow: Teams audio or video problems"),
            ("try", "Select the headset in Teams and make a test call"),
            ("failed", "Select the headset in Teams and make a test call",
             "The Jabra was already selected; the test call records nothing."),
            ("assistant", "Teams sees the headset but records nothing: check microphone access in Windows "
                          "(Settings > Privacy & security > Microphone)."),
            ("propose", "Allow desktop apps to use the microphone",
             "Settings > Privacy & security > Microphone\nTurn on 'Let desktop apps access your microphone'"),
            ("try", "Allow desktop apps to use the microphone"),
            ("worked", "Allow desktop apps to use the microphone",
             "It had been turned off by last week's privacy baseline script. Test call works."),
            ("note", "Told the office manager; checking the other partners' laptops tomorrow."),
        ),
        resolution="Windows microphone access for desktop apps was off after last week's privacy baseline script. "
                   "Turned it on and excluded the setting from the script for Pinecrest.",
    ),
    DemoSession(
        "demo", "DEMO-1044", JAMIE, "Bayside Property Management", "Leasing agent's VPN fails with error 809",
        "Leasing agent's laptop: the Windows VPN to the office fails with error 809 from her home.",
        started=timedelta(hours=1, minutes=30), pace=timedelta(minutes=3), flow="vpn-will-not-connect",
        beats=(
            ("answer", "Internet works"), ("answer", "Windows built-in VPN (L2TP, IKEv2, SSTP)"),
            ("fact", "vpn_protocol", "L2TP/IPsec"), ("fact", "error_code", "809"),
            ("answer", "Error 809"),
        ),
    ),
    DemoSession(
        "demo", "DEMO-1046", JAMIE, "Harbor Dental", "Imaging share shows a red X",
        "The X-ray imaging drive (I:) shows a red X on the surgery PC.",
        started=timedelta(minutes=35), pace=timedelta(minutes=2), flow="mapped-drive-missing",
        beats=(
            ("fact", "unc_path", "\\\\HD-FS01\\Imaging"),
            ("answer", "The drive is there with a red X"),
            ("answer", "'The network path was not found' (system error 53)"),
            ("note", "Dr Patel needs the imaging share for an 11:00 patient."),
        ),
    ),
    DemoSession(
        "demo", "DEMO-1049", SAM, "Pinecrest Law Group", "Paralegal's PC is slow all day",
        "Paralegal's desktop takes minutes to open documents, all day long.",
        started=timedelta(hours=3), pace=timedelta(minutes=4), flow="slow-computer",
        beats=(
            ("fact", "hostname", "PLG-PARALEGAL-04"), ("fact", "os", "Windows 10 22H2"),
            ("answer", "All the time"), ("answer", "Disk at 100%"),
            ("propose", "Replace the hard disk with an SSD",
             "Quote a 512 GB SSD\nClone the disk out of hours\nKeep the old disk for a week"),
        ),
    ),
    DemoSession(
        "demo", "DEMO-1036", SAM, "Meyer & Sons Logistics", "Label printer queue stuck at the loading dock",
        "The loading dock PC can't print shipping labels to the Zebra ZD421; jobs sit in the queue.",
        started=timedelta(days=4, hours=1), pace=timedelta(minutes=5), flow="printer-offline-spooler",
        beats=(
            ("fact", "printer", "Zebra ZD421"),
            ("answer", "Others can, this user cannot"),
            ("answer", "Queue clears and the test page prints"),
        ),
        resolution="A stuck job blocked the loading dock's queue; cleared the spool folder and restarted the "
                   "Print Spooler. Labels print again.",
    ),
    DemoSession(
        "demo", "DEMO-1035", JAMIE, "Alder Creek Veterinary", "Vet nurse lost her phone: MFA sign-in blocked",
        "A vet nurse got a new phone and can't complete the Microsoft 365 MFA prompt any more.",
        started=timedelta(days=5, hours=4), pace=timedelta(minutes=4), flow="m365-mfa-lockout",
        beats=(
            ("answer", "Identity verified"),
            ("answer", "New, lost or wiped phone: no Authenticator any more"),
            ("answer", "Re-registered and signed in"),
        ),
        resolution="New phone: removed her old Authenticator registration and required re-registration; she "
                   "signed in with MFA on the new phone.",
    ),
    DemoSession(
        "outsider", "DEMO-2001", OLGA, "Tailspin Toys", "Shared mailbox missing from Outlook",
        "The sales shared mailbox no longer appears in Outlook for two people at Tailspin Toys.",
        started=timedelta(hours=4), pace=timedelta(minutes=5),
        beats=(
            ("extracted", "product", "Outlook"),
            ("assistant", "Two people losing one shared mailbox points at its permissions or automapping rather "
                          "than their PCs. Check Full Access on the mailbox in the Exchange admin center."),
            ("fact", "mailbox", "sales@tailspintoys.test"),
        ),
    ),
)


def demo_sessions_ensure(accounts: Mapping[str, Account], **_signal) -> str | None:
    """The loader ``seed_demo`` runs (connected in ``SessionsAppConfig.ready``): creates the
    demo sessions that are missing, and says how many."""
    created: dict[str, int] = {}
    for spec in DEMO_SESSIONS:
        account = accounts.get(spec.account)
        if account is None:
            continue
        if TroubleshootingSession.objects.for_account(account).filter(ticket_ref=spec.ticket_ref).exists():
            continue
        _play(spec, account)
        created[account.name] = created.get(account.name, 0) + 1
    if not created:
        return None
    where = ", ".join(f"{count} in {name}" for name, count in created.items())
    return f"Demo sessions: {sum(created.values())} created ({where})."


# The assistant's extracted facts and proposals come with the message they answer, not later.
_SAME_MOMENT = frozenset({"extracted", "suggest"})


def _play(spec: DemoSession, account: Account) -> TroubleshootingSession:
    owner = User.objects.get(account=account, email=spec.owner)
    flow = Flow.objects.available_to(account).get(slug=spec.flow) if spec.flow else None
    moments = [timezone.now()]  # when each beat began, to lay them out on a demo timeline after
    session = session_create(
        account=account, owner=owner, mode=SessionMode.FLOW if flow else SessionMode.ASSISTANT, title=spec.title,
        problem=spec.problem, client_name=spec.client, ticket_ref=spec.ticket_ref, flow=flow,
        answer=False,  # the scripted transcript holds the assistant's replies
    )
    fixes: dict[str, Fix] = {}
    for verb, *args in spec.beats:
        if verb not in _SAME_MOMENT:
            moments.append(timezone.now())
        if verb in ("tech", "assistant"):
            Message.objects.for_account(account).create(
                session=session, account=account, kind=verb, body=args[0],
                author=owner if verb == MessageKind.TECH else None,
            )
        elif verb == "note":
            message_post(session=session, actor=owner, body=args[0], kind=MessageKind.NOTE)
        elif verb == "fact":
            fact_set(session=session, actor=owner, key=args[0], value=args[1])
        elif verb == "extracted":
            fact_upsert(session=session, key=args[0], value=args[1], source=FactSource.EXTRACTED, author=None)
        elif verb == "suggest":
            title, steps, source = args
            fixes[title] = fix_create(session=session, title=title, steps=steps, source=source, proposed_by=None)
        elif verb == "propose":
            fixes[args[0]] = fix_propose(session=session, actor=owner, title=args[0], steps=args[1])
        elif verb == "try":
            fixes[args[0]] = fix_set_status(fix=fixes[args[0]], actor=owner, status=FixStatus.ACTIVE)
        elif verb in (FixStatus.WORKED, FixStatus.FAILED, FixStatus.SKIPPED):
            fixes[args[0]] = fix_set_status(fix=fixes[args[0]], actor=owner, status=verb, outcome_note=args[1])
        elif verb == "answer":
            session = flow_answer(session=session, actor=owner, step=session.current_step, option=args[0])
        else:
            raise ValueError(f"{spec.ticket_ref}: unknown demo beat {verb!r}")
    if spec.resolution:
        moments.append(timezone.now())
        session = session_resolve(session=session, actor=owner, resolution=spec.resolution)
    _spread_in_time(session, moments=moments, started=timezone.now() - spec.started, pace=spec.pace)
    return session


def _spread_in_time(session: TroubleshootingSession, *, moments: list[datetime], started: datetime,
                    pace: timedelta) -> None:
    """The services stamp everything with the instant of the seed; a demo history needs last
    week's sessions and this morning's. Each beat (``moments`` holds when each began) moves to
    a timeline that begins at ``started``, a little more or less than ``pace`` apart, and ends
    before now; what happened within a beat keeps its order."""
    account = session.account
    now = timezone.now()
    gaps = [pace * (0.5 + (number * 7 % 10) / 10) for number in range(1, len(moments))]  # same on every seed
    total = sum(gaps, timedelta())
    scale = min(1.0, (now - timedelta(minutes=2) - started) / total) if total else 1.0
    timeline = list(itertools.accumulate((gap * scale for gap in gaps), initial=started))

    def moved(stamp: datetime | None) -> datetime | None:
        if stamp is None:
            return None
        beat = max(bisect.bisect_right(moments, stamp) - 1, 0)
        return timeline[beat] + (stamp - moments[beat])

    session.refresh_from_db()
    messages = list(Message.objects.for_account(account).filter(session=session))
    for message in messages:
        message.created_at = moved(message.created_at)
    Message.objects.for_account(account).bulk_update(messages, ["created_at"])
    facts = list(Fact.objects.for_account(account).filter(session=session))
    for fact in facts:
        fact.created_at, fact.updated_at = moved(fact.created_at), moved(fact.updated_at)
    Fact.objects.for_account(account).bulk_update(facts, ["created_at", "updated_at"])
    fixes = list(Fix.objects.for_account(account).filter(session=session))
    for fix in fixes:
        fix.created_at, fix.updated_at, fix.outcome_at = map(moved, (fix.created_at, fix.updated_at, fix.outcome_at))
    Fix.objects.for_account(account).bulk_update(fixes, ["created_at", "updated_at", "outcome_at"])
    path = [{**item, "answered_at": moved(datetime.fromisoformat(item["answered_at"])).isoformat()}
            for item in session.path]
    last = max([moved(session.updated_at), *(message.created_at for message in messages)])
    TroubleshootingSession.objects.for_account(account).filter(pk=session.pk).update(
        created_at=moved(session.created_at), updated_at=last, resolved_at=moved(session.resolved_at), path=path,
    )
