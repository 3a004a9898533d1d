"""Server-rendered session pages (docs/architecture.md#pages), one module per concern; ``common`` holds
the access decorator and the way every write answers."""

from .flow import flow_answer, flow_back
from .history import history, session_new
from .live import home_sessions, session_live, session_regions
from .palette import client_report, palette
from .panels import fact_create, fact_edit, fact_remove, fix_create, fix_status
from .session import message_create, session_detail, session_draft_runbook, session_resolve

__all__ = [
    "client_report",
    "fact_create",
    "fact_edit",
    "fact_remove",
    "fix_create",
    "fix_status",
    "flow_answer",
    "flow_back",
    "history",
    "home_sessions",
    "message_create",
    "palette",
    "session_detail",
    "session_live",
    "session_new",
    "session_draft_runbook",
    "session_regions",
    "session_resolve",
]
