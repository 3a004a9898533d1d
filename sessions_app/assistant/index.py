"""The assistant's search index (``SearchEntry``): written when runbooks and resolved
sessions are written, read with each database's own full-text engine.

- ``index_flow(flow)`` / ``unindex_flow(flow)``: a ``post_save``/``post_delete`` receiver on
  ``Flow`` calls them, so every path that writes a runbook (the flow services, imports, the
  starter library, admin) keeps the index current in the same transaction.
- ``index_session(session)``: called when a session is resolved (the resolve activity hook
  registered in ``sessions_app.apps``); ``catch_up(account)`` indexes any resolved session
  written by another path (an escalation resolved by ``handoffs``) before each search, so a
  resolution is searchable at once whichever service wrote it.
- ``search(account, words, kind, limit)``: the ids of the best entries for any of the words,
  by SQLite FTS5's bm25 or PostgreSQL's ``ts_rank`` over a GIN-indexed ``tsvector``.
"""

import re

from django.db import connection
from django.db.models import Max

from ..models import Fact, Flow, SearchEntry, SessionStatus, TroubleshootingSession
from .concepts import tokens

WORD = re.compile(r"[a-z0-9]{2,}")
GLOBAL = "global"


def scope_tokens(kind: str, account_id) -> str:
    """Words that put an entry's kind and account into the text itself, so the full-text
    engine narrows to one account's sessions by intersecting posting lists, not by reading
    every match of a common word and filtering afterwards."""
    return f"rfkind{kind} rfacct{_account_word(account_id)}"


def _account_word(account_id) -> str:
    return str(account_id).replace("-", "") if account_id else GLOBAL
MAX_QUERY_WORDS = 40


def flow_text(flow) -> str:
    """Name, description, keywords, tags, then every step's text, detail and option labels."""
    steps = (flow.graph or {}).get("steps", {})
    parts = [flow.name, flow.description or "", ", ".join(flow.keywords or []),
             ", ".join(tag.replace("-", " ") for tag in flow.tags or [])]
    for step in steps.values():
        parts += [step.get("text", ""), step.get("detail", "")]
        parts += [option.get("label", "") for option in step.get("options", [])]
    return "\n".join(part for part in parts if part)


def flow_header(flow) -> str:
    """What a runbook is about: the part that decides its topic."""
    return ". ".join([flow.name, flow.description or "", ", ".join(flow.keywords or [])])


def session_text(title: str, problem: str, resolution: str) -> str:
    return "\n".join(part for part in (title, problem, resolution) if part)


def index_flow(flow) -> None:
    text = flow_text(flow)
    SearchEntry.entries.update_or_create(
        kind="flow", object_id=flow.pk,
        defaults={"account_id": flow.account_id, "slug": flow.slug, "title": flow.name[:200],
                  "text": f"{text}\n{tokens(flow_header(flow))}\n{scope_tokens('flow', flow.account_id)}",
                  "updated_at": flow.updated_at})


def unindex_flow(flow) -> None:
    SearchEntry.entries.filter(kind="flow", object_id=flow.pk).delete()


def index_session(session, *, closest: str | None = None) -> None:
    """Index a resolved session (a session that is not resolved is taken out). ``closest``
    is the slug of the runbook it was closest to; None works it out."""
    if session.status != SessionStatus.RESOLVED or not session.resolution:
        SearchEntry.entries.filter(kind="session", object_id=session.pk).delete()
        return
    if closest is None:
        from .ranking import closest_flow

        closest = closest_flow(account=session.account_id, title=session.title, problem=session.problem,
                               exclude_session=session.pk)
    from .ranking import session_profile

    text = session_text(session.title, session.problem, session.resolution)
    facts = list(Fact.objects.for_account(session.account_id).filter(session=session).values_list("key", "value"))
    SearchEntry.entries.update_or_create(
        kind="session", object_id=session.pk,
        defaults={"account_id": session.account_id, "slug": closest or "", "title": session.title[:200],
                  "text": f"{text}\n{tokens(session.title + chr(10) + session.problem)}\n"
                          f"{scope_tokens('session', session.account_id)}",
                  "profile": session_profile(session.title, session.problem, session.resolution, facts),
                  "updated_at": session.updated_at})


def catch_up(account) -> int:
    """Index the account's resolved sessions changed since the newest indexed one; returns how
    many. Cheap when nothing changed: one indexed aggregate and one range query."""
    latest = (SearchEntry.entries.filter(account=account, kind="session").aggregate(latest=Max("updated_at"))
              ["latest"])
    pending = TroubleshootingSession.objects.for_account(account).filter(status=SessionStatus.RESOLVED)
    if latest is not None:
        pending = pending.filter(updated_at__gt=latest)
    count = 0
    for session in pending.exclude(resolution="").order_by("updated_at")[:500]:
        index_session(session)
        count += 1
    return count


def reindex(account=None) -> int:
    """Rebuild every entry (of one account, or all): runbooks, then resolved sessions."""
    count = 0
    flows = Flow.unscoped.all() if account is None else Flow.objects.available_to(account, include_inactive=True)
    for flow in flows:
        index_flow(flow)
        count += 1
    sessions = TroubleshootingSession.unscoped.filter(status=SessionStatus.RESOLVED).exclude(resolution="")
    if account is not None:
        sessions = sessions.filter(account=account)
    for session in sessions.order_by("resolved_at"):
        index_session(session)
        count += 1
    return count


def query_words(text: str) -> list[str]:
    """The words of a query as each engine's query syntax accepts them (letters and digits)."""
    seen: dict[str, None] = {}
    for word in WORD.findall((text or "").lower()):
        seen.setdefault(word, None)
    return list(seen)[:MAX_QUERY_WORDS]


def search(*, account, words: list[str], kind: str, limit: int, required: list[str] = ()) -> list[int]:
    """Ids of the ``kind`` entries of the account (and of the global library) matching any of
    ``words`` (and, when given, any of ``required``), best first, at most ``limit``."""
    words = [word for word in words if word not in required]
    if not words and not required:
        return []
    account_id = getattr(account, "pk", account)
    scope = [f"rfkind{kind}"]
    accounts = [f"rfacct{_account_word(account_id)}"] + ([f"rfacct{GLOBAL}"] if kind == "flow" else [])
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank
        from django.db.models import F, Q

        groups = [" | ".join(group) for group in (scope, accounts, required, words) if group]
        query = SearchQuery(" & ".join(f"({group})" for group in groups), search_type="raw", config="english")
        scope = Q(account_id=account_id) | Q(account__isnull=True) if kind == "flow" else Q(account_id=account_id)
        rows = (SearchEntry.entries.filter(scope, kind=kind, vector=query)
                .annotate(rank=SearchRank(F("vector"), query)).order_by("-rank").values_list("id", flat=True)[:limit])
        return list(rows)
    groups = [" OR ".join(f'"{word}"' for word in group) for group in (scope, accounts, required, words) if group]
    match = " AND ".join(f"({group})" for group in groups)
    with connection.cursor() as cursor:
        cursor.execute(SQLITE_FLOWS if kind == "flow" else SQLITE_SESSIONS,
                       [match, kind, str(account_id).replace("-", ""), limit])
        return [row[0] for row in cursor.fetchall()]


_SQLITE_SEARCH = ("SELECT e.id FROM sessions_app_searchentry_fts f JOIN sessions_app_searchentry e ON e.id = f.rowid "
                  "WHERE sessions_app_searchentry_fts MATCH %s AND e.kind = %s AND {scope} "
                  "ORDER BY bm25(sessions_app_searchentry_fts) LIMIT %s")
SQLITE_FLOWS = _SQLITE_SEARCH.format(scope="(e.account_id = %s OR e.account_id IS NULL)")
SQLITE_SESSIONS = _SQLITE_SEARCH.format(scope="e.account_id = %s")
