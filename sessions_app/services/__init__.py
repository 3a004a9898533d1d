"""Every state change of troubleshooting sessions (docs/architecture.md#rooms-and-dependencies): the API, the pages, the
commands, the admin and the escalation services all call these, so each rule lives in one
place (docs/architecture.md)."""

from .access import can_write, require_write, session_for_write, session_lock
from .facts_fixes import FIX_TRANSITIONS, fact_delete, fact_set, fact_update, fix_propose, fix_set_status
from .flowpilot import current_step, flow_answer, flow_step_back
from .flows import flow_create, flow_import, flow_update
from .knowledge import flow_draft_from_session, session_closest_runbook
from .messages import PostedMessage, message_post
from .preview import TicketNote, session_preview
from .sessions import (
    session_assign,
    session_create,
    session_mark_escalated,
    session_resolve,
    session_system_line,
    session_unassign,
    session_update,
)

__all__ = [
    "FIX_TRANSITIONS",
    "PostedMessage",
    "TicketNote",
    "can_write",
    "current_step",
    "fact_delete",
    "fact_set",
    "fact_update",
    "fix_propose",
    "fix_set_status",
    "flow_answer",
    "flow_create",
    "flow_draft_from_session",
    "flow_import",
    "flow_step_back",
    "flow_update",
    "message_post",
    "require_write",
    "session_assign",
    "session_closest_runbook",
    "session_create",
    "session_for_write",
    "session_lock",
    "session_mark_escalated",
    "session_preview",
    "session_resolve",
    "session_system_line",
    "session_unassign",
    "session_update",
]
