"""The handoff context: an immutable snapshot of a session at the moment it is escalated,
laid out for a senior who has 30 seconds."""

from django.utils import timezone

from sessions_app.models import FixStatus, SessionMode, TroubleshootingSession
from sessions_app.selectors import fact_list, fix_list, message_list

from .models import stuck_on

RECENT_MESSAGES = 20
OUTCOME = {FixStatus.WORKED: "worked", FixStatus.FAILED: "failed", FixStatus.SKIPPED: "skipped",
           FixStatus.ACTIVE: "in progress", FixStatus.PROPOSED: "not tried"}


def _minutes(delta) -> int:
    return max(0, int(delta.total_seconds() // 60))


def snapshot(*, session: TroubleshootingSession, note: str, handed_off_by) -> dict:
    now = timezone.now()
    facts = [{"key": f.key, "value": f.value, "source": f.source} for f in fact_list(session=session)]
    fixes = [{"title": f.title, "status": f.status, "outcome_note": f.outcome_note, "source": f.source,
              "steps": f.steps} for f in fix_list(session=session)]
    messages = list(message_list(session=session).order_by("-created_at")[:RECENT_MESSAGES])
    transcript = [{"kind": m.kind, "author": m.author.name if m.author else None, "body": m.body,
                   "at": m.created_at.isoformat()} for m in reversed(messages)]
    flow_path = []
    if session.mode == SessionMode.FLOW and session.flow_graph:
        steps = session.flow_graph["steps"]
        flow_path = [{"step": item["step"], "text": steps.get(item["step"], {}).get("text", item["step"]),
                      "answer": item["option"]} for item in session.path]
        current = steps.get(session.current_step, {})
        flow_current = {"step": session.current_step, "text": current.get("text", "")}
    else:
        flow_current = None
    context = {
        "taken_at": now.isoformat(),
        "title": session.title,
        "problem": session.problem,
        "client_name": session.client_name,
        "ticket_ref": session.ticket_ref,
        "mode": session.mode,
        "owner": session.owner.name,
        "flow": session.flow_graph and (session.flow.name if session.flow else session.title),
        "session_minutes": _minutes(now - session.created_at),
        "facts": facts,
        "fixes": fixes,
        "active_fix": next((f["title"] for f in fixes if f["status"] == FixStatus.ACTIVE), None),
        "transcript": transcript,
        "flow_path": flow_path,
        "flow_current": flow_current,
        "note": note,
    }
    context["summary"] = summarise(context, escalated_by=handed_off_by.name)
    return context


def summarise(context: dict, *, escalated_by: str) -> str:
    """One paragraph of what was tried, written from the snapshot alone."""
    parts = [f"{context['owner']} has worked on “{context['title']}”"
             + (f" for {context['client_name']}" if context["client_name"] else "")
             + f" for {context['session_minutes']} min."]
    if escalated_by != context["owner"]:
        parts.append(f"{escalated_by} escalated it for them.")
    if context["facts"]:
        known = "; ".join(f"{f['key'].replace('_', ' ')} {f['value']}" for f in context["facts"][:6])
        parts.append(f"Known: {known}.")
    tried = [f for f in context["fixes"] if f["status"] in (FixStatus.WORKED, FixStatus.FAILED, FixStatus.SKIPPED)]
    if tried:
        parts.append("Tried: " + "; ".join(
            f"{f['title']} ({OUTCOME[f['status']]}{': ' + f['outcome_note'] if f['outcome_note'] else ''})"
            for f in tried) + ".")
    else:
        parts.append("No fix has been tried yet.")
    if context["active_fix"]:
        parts.append(f"In progress: {context['active_fix']}.")
    if context["flow_path"]:
        parts.append(f"Runbook: {len(context['flow_path'])} steps answered"
                     + (f", stopped at “{context['flow_current']['text']}”" if context["flow_current"] else "") + ".")
    if context["note"]:
        parts.append(stuck_on(context["note"]))
    return " ".join(parts)
