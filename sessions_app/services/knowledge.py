"""The knowledge loop (issue 13): what fixed a resolved session becomes a draft runbook.

A resolved session is searchable at once (``assistant.index``) and carries the runbook it
was closest to (``session_closest_runbook``). An admin turns its resolution into a draft
runbook of the account: inactive until an admin activates it (``flow_update`` with
``is_active``), so a half-written runbook never reaches the assistant's suggestions.
"""

import uuid

from django.db import transaction
from django.utils.text import slugify

from accounts.errors import Conflict
from accounts.models import User
from accounts.rules import require
from sessions_app import rules
from sessions_app.assistant.extract import extract_facts
from sessions_app.models import Flow, SearchEntry, SessionStatus, TroubleshootingSession

from .flows import flow_create

# Facts that make good runbook keywords: what a technician would type again.
KEYWORD_KEYS = ("product", "error_code", "event_id", "vpn_client", "printer", "symptom", "keyword")


def session_closest_runbook(*, session: TroubleshootingSession) -> str:
    """The slug of the runbook a resolved session was closest to when it was indexed; "" when
    none fitted or the session is not resolved."""
    return (SearchEntry.entries.filter(kind="session", object_id=session.pk, account=session.account_id)
            .values_list("slug", flat=True).first() or "")


def _first_sentence(text: str, limit: int = 200) -> str:
    first = text.strip().split("\n", 1)[0].split(". ", 1)[0].strip().rstrip(".")
    return first if len(first) <= limit else first[:limit - 1].rsplit(" ", 1)[0] + "…"


@transaction.atomic
def flow_draft_from_session(*, session: TroubleshootingSession, actor: User) -> Flow:
    """A new inactive runbook of the session's account, drafted from a resolved session: its
    title and problem describe it, its facts become keywords, and its resolution is the
    action step to try (worked → resolved; did not help → escalate).

    Raises ``NotPermitted`` ``permission_denied`` unless ``actor`` may manage the session's
    account's runbooks (``rules.may_manage_flows``), ``Conflict`` ``not_resolved`` unless the
    session is resolved with a note.
    """
    require(actor is not None and rules.may_manage_flows(actor, session.account),
            "Only an admin of this account may turn a resolution into a runbook.")
    if session.status != SessionStatus.RESOLVED or not session.resolution.strip():
        raise Conflict("Only a resolved session with a resolution note can become a runbook.",
                       code="not_resolved", extra={"status": session.status})
    resolution = session.resolution.strip()
    keywords = []
    for key, value in extract_facts(f"{session.title}\n{session.problem}\n{resolution}"):
        if key in KEYWORD_KEYS and value.casefold() not in (k.casefold() for k in keywords):
            keywords.append(value[:100])
    graph = {
        "start": "apply-fix",
        "steps": {
            "apply-fix": {
                "type": "action", "text": _first_sentence(resolution) or "Apply the fix that worked before.",
                "detail": resolution,
                "options": [{"label": "It worked", "next": "res-fixed"},
                            {"label": "It did not help", "next": "res-escalate"}],
            },
            "res-fixed": {"type": "resolution", "text": resolution[:500], "options": []},
            "res-escalate": {"type": "resolution", "text": "The fix that worked before did not help: escalate.",
                             "escalate": True, "options": []},
        },
    }
    base = slugify(f"draft {session.title}")[:60].strip("-") or "draft"
    return flow_create(
        account=session.account, actor=actor, name=f"Draft: {session.title}"[:120],
        slug=f"{base}-{uuid.uuid4().hex[:6]}", description=session.problem[:2000] or session.title,
        graph=graph, tags=["draft"], keywords=keywords[:30], is_active=False,
    )
