"""The ticket note a session drafts for the PSA: problem, facts, fixes with outcomes,
resolution. Plain text for PSAs that take text, markdown for those that render it."""

from dataclasses import dataclass

from sessions_app.models import Fact, Fix, FixStatus, SessionMode, TroubleshootingSession
from sessions_app.signals import ticket_note_sections

OUTCOME = {FixStatus.PROPOSED: "not tried", FixStatus.ACTIVE: "in progress", FixStatus.WORKED: "worked",
           FixStatus.FAILED: "did not help", FixStatus.SKIPPED: "skipped"}


@dataclass(frozen=True)
class TicketNote:
    text: str
    markdown: str


def _bullet(item: str) -> str:
    # A problem or resolution of several lines stays inside its bullet: its later lines are
    # indented under the first, in the text and in markdown (where they continue the item).
    lines = [line.rstrip() for line in item.strip().splitlines()]
    return "- " + "\n  ".join(line for line in lines if line)


def _answered(step: str, option: str) -> str:
    # "Is the printer online? Yes", "Check the account the VPN signs in with: Credentials fixed".
    step = step.strip()
    return f"{step} {option}" if step.endswith("?") else f"{step.rstrip('.')}: {option}"


def session_preview(*, session: TroubleshootingSession) -> TicketNote:
    """The ticket note as plain text and as markdown: problem, environment (facts), fixes
    tried with outcomes, the runbook path, what other apps add (``ticket_note_sections``:
    the escalation), the resolution."""
    facts = list(Fact.objects.for_account(session.account).filter(session=session).order_by("key"))
    fixes = [f for f in Fix.objects.for_account(session.account).filter(session=session).order_by("created_at")
             if f.status != FixStatus.PROPOSED]
    head = [f"Ticket {session.ticket_ref}" if session.ticket_ref else "", f"Client: {session.client_name}"
            if session.client_name else "", f"Status: {session.get_status_display()}"]
    sections: list[tuple[str, list[str]]] = [
        ("Problem", [session.problem or session.title]),
        ("Environment", [f"{fact.key.replace('_', ' ')}: {fact.value}" for fact in facts]),
        ("Tried", [f"{fix.title.rstrip('.')} ({OUTCOME[fix.status]})"
                   + (f" - {fix.outcome_note}" if fix.outcome_note else "") for fix in fixes]),
    ]
    if session.mode == SessionMode.FLOW and session.flow_graph:
        steps = session.flow_graph["steps"]
        sections.append(("Runbook", [_answered(steps.get(item["step"], {}).get("text", item["step"]), item["option"])
                                     for item in session.path]))
    # Apps above (handoffs: the escalation) contribute through the signal: no import upward.
    for _receiver, contributed in ticket_note_sections.send(sender=TroubleshootingSession, session=session):
        sections.extend(contributed or [])
    if session.resolution:
        sections.append(("Resolution", [session.resolution]))

    text_lines = [session.title, *[line for line in head if line], ""]
    md_lines = [f"**{session.title}**", *[f"{line}  " for line in head if line], ""]
    for heading, items in sections:
        if not items:
            continue
        text_lines += [f"{heading}:", *[_bullet(item) for item in items], ""]
        md_lines += [f"### {heading}", *[_bullet(item) for item in items], ""]
    return TicketNote(text="\n".join(text_lines).strip() + "\n", markdown="\n".join(md_lines).strip() + "\n")
