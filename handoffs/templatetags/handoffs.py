"""Template helpers of Escalation Mode.

``session_escalation_state`` lets the session page (a sessions_app template) show the
Escalate button and the live status through one ``{% include "handoffs/_session_escalation.html" %}``:
sessions_app never imports handoffs (docs/architecture.md#rooms-and-dependencies); its template loads this library.
"""

from datetime import datetime

from django import template
from django.utils import timezone

from accounts import rules as account_rules

from .. import selectors
from ..context import OUTCOME
from ..models import HandoffStatus, Urgency

register = template.Library()


@register.filter
def age(since, now=None) -> str:
    """How long ago, compact: "45 s", "12 min", "2 h 05 min", "3 d 4 h". live.js keeps the
    same format ticking in the browser."""
    if not since:
        return ""
    seconds = max(0, int(((now or timezone.now()) - since).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


@register.filter
def fix_outcome(status: str) -> str:
    """A fix's status in the snapshot as an outcome: "worked", "failed", "in progress"..."""
    return OUTCOME.get(status, status)


@register.filter
def iso_datetime(value: str):
    """The snapshot keeps times as ISO strings; pages show them as times (None if unreadable)."""
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@register.simple_tag(takes_context=True)
def session_escalation_state(context, session):
    """What the session page's escalation panel shows to the person looking at it."""
    user = context["request"].user
    handoff = selectors.session_latest_handoff(session=session)
    live = handoff is not None and handoff.is_live
    return {
        "handoff": handoff,
        "live": live,
        "can_escalate": not live and selectors.can_escalate(session=session, user=user),
        "actions": selectors.handoff_actions(handoff=handoff, user=user) if handoff else frozenset(),
        "is_peer": user.pk != session.owner_id,
        "urgencies": Urgency.choices,
        "statuses": HandoffStatus,
        "seq": selectors.last_event_seq(account=session.account),
        "returned_by": selectors.returned_by(handoff=handoff) if handoff else None,
    }


FIRST_ACTION_KINDS = {"message": "a message", "note": "a note", "fact": "a fact", "fix": "a fix status",
                      "flow_answer": "a flow answer", "resolve": "resolved", "return": "returned"}


@register.filter
def first_action_what(kind: str) -> str:
    """A first action's kind as the history says it: "a note", "a fix status", "resolved"."""
    return FIRST_ACTION_KINDS.get(kind, kind)


@register.simple_tag
def handoff_times(handoff):
    """Both times of an escalation (handoffs.metrics.handoff_times): minutes or None."""
    from ..metrics import handoff_times as times

    return times(handoff)



@register.inclusion_tag("handoffs/_home_held.html", takes_context=True)
def held_escalations(context):
    """The home page's "Escalations I hold" card: shown to whoever may pick up escalations,
    kept live by live.js over the queue socket (re-fetched from ``handoffs:home_held``)."""
    request = context["request"]
    user = request.user
    if not account_rules.is_member(user) or not account_rules.may_work(user):  # only workers pick up
        return {"show": False}
    return {"show": True, "held": list(selectors.handoffs_held(account=user.account, user=user)),
            "seq": selectors.last_event_seq(account=user.account), "request": request, "user": user}
