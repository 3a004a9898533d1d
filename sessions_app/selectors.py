"""Reads scoped to an account: every page and API list of sessions starts here."""

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import Account, User
from accounts.selectors import people_by_id
from resolutionflow.search import every_word
from resolutionflow.sql import bound_values
from sessions_app import rules
from sessions_app.models import Fact, Fix, Flow, Message, SessionMode, SessionStatus, TroubleshootingSession
from sessions_app.signals import session_actions as session_actions_signal
from sessions_app.signals import session_escalations


def session_list(*, account: Account):
    return TroubleshootingSession.objects.for_account(account).select_related("owner", "assignee", "flow")


def session_page_list(*, account: Account):
    """The account's sessions without joins, for a list that pages: ``attach_people_and_runbooks`` then sets
    the owner, assignee and runbook of the page's rows only. (Joined, every row of the page
    built its own owner from a whole user row, 2.5 ms of a 50-row page; even the runbook's
    name alone, joined, cost 1.1 ms: issue 9.)"""
    return TroubleshootingSession.objects.for_account(account)


# What a list shows of a runbook (SessionSerializer.get_flow): the only columns ``attach_people_and_runbooks`` loads.
FLOW_SUMMARY_FIELDS = ("id", "slug", "name")


def attach_people_and_runbooks(sessions, *, account: Account):
    """Set ``owner``, ``assignee`` (``accounts.selectors.people_by_id``: users loaded with their
    summary's fields only) and ``flow`` (``FLOW_SUMMARY_FIELDS`` only) on each session of a page
    (at most a page of ``account``'s sessions): one query for the people, and one for the
    runbooks when a FlowPilot session is on the page. Returns the sessions as a list (without
    one whose owner went between the reads, deleted with its account); a person shown on
    several rows is one object. Raises ``ValueError`` for another account's session."""
    sessions = list(sessions)
    if any(session.account_id != account.pk for session in sessions):
        raise ValueError("attach_people_and_runbooks: every session must belong to the account")
    people = people_by_id([*(session.owner_id for session in sessions), *(session.assignee_id for session in sessions)])
    flow_ids = {session.flow_id for session in sessions if session.flow_id is not None}
    # By id alone (a global runbook has no account): the ids come from the account's sessions.
    flows = Flow._base_manager.filter(pk__in=flow_ids).order_by().only(*FLOW_SUMMARY_FIELDS) if flow_ids else ()
    flows = {flow.pk: flow for flow in flows}
    found = []
    for session in sessions:
        if session.owner_id not in people:
            continue  # deleted since the page was read (with its account)
        session.owner = people[session.owner_id]
        session.assignee = people.get(session.assignee_id)
        session.flow = flows.get(session.flow_id)
        found.append(session)
    return found


def _count_in_session(model, account):
    # By session alone (the outer row is already the account's): with the account in the
    # filter too, SQLite picks the account index and counts every row of the account per session.
    rows = (model.unscoped.filter(session=OuterRef("pk")).order_by()
            .values("session").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _with_item_counts(sessions, *, account: Account):
    return sessions.annotate(
        messages_count=_count_in_session(Message, account),
        facts_count=_count_in_session(Fact, account),
        fixes_count=_count_in_session(Fix, account),
    )


def session_with_counts_list(*, account: Account):
    """The account's sessions, each with ``messages_count``, ``facts_count`` and ``fixes_count``
    (ints) computed in the same statement: for reading one session or a few by id. A list that
    pages uses ``session_page_list`` and ``attach_item_counts`` on the page, so the counts are
    computed for the rows shown, not for every session of the account."""
    return _with_item_counts(session_list(account=account), account=account)


def attach_item_counts(sessions, *, account: Account):
    """Set ``messages_count``, ``facts_count`` and ``fixes_count`` (ints) on each session of a page
    (a list of at most a page of sessions, all of ``account``) with one query over their ids;
    returns the same list.

    One ``UNION ALL`` of three ``GROUP BY session_id`` counts, written as SQL: the same counts
    as ORM subqueries cost 2.6–3 ms of Python per page of 50 (compiling and hashing the
    expressions) against 0.35 ms for this statement (bench/lists.py, issue 9). By session id
    alone: the rows were read through the account's scope already, and with the account in the
    WHERE clause SQLite walks the account's index over every session of the account."""
    sessions = list(sessions)
    if any(session.account_id != account.pk for session in sessions):
        raise ValueError("attach_item_counts: every session must belong to the account")
    counts = {session.pk: [0, 0, 0] for session in sessions}
    if sessions:
        marks, by_db_value = bound_values(TroubleshootingSession._meta.pk, counts)
        # Only our own table names and placeholders go into the text; the ids are parameters.
        sql = " UNION ALL ".join(
            f"SELECT session_id, {column}, COUNT(*) FROM {connection.ops.quote_name(model._meta.db_table)} "  # noqa: S608
            f"WHERE session_id IN ({marks}) GROUP BY session_id"
            for column, model in enumerate((Message, Fact, Fix)))
        with connection.cursor() as cursor:
            cursor.execute(sql, list(by_db_value) * 3)
            for session_id, column, count in cursor.fetchall():
                counts[by_db_value[session_id]][column] = count
    for session in sessions:
        session.messages_count, session.facts_count, session.fixes_count = counts[session.pk]
    return sessions


# What Session History's search reads (the page's box and the API's ``q``).
SESSION_SEARCH_FIELDS = ("title", "problem", "ticket_ref", "resolution", "client_name")


def session_search(*, account: Account, user: User, mode: str | None = None, status: str | None = None,
                   owner: str | None = None, client: str | None = None, q: str | None = None):
    """Session History: ``owner`` is "me", a user id, or empty for everyone in the account;
    ``client`` is part of the client name; every word of ``q`` must appear in one of
    ``SESSION_SEARCH_FIELDS`` (``resolutionflow.search.every_word``)."""
    sessions = session_list(account=account)
    if mode:
        sessions = sessions.filter(mode=mode)
    if status:
        sessions = sessions.filter(status=status)
    if owner == "me":
        sessions = sessions.filter(owner=user)
    elif owner:
        sessions = sessions.filter(owner_id=owner)
    if client:
        sessions = sessions.filter(client_name__icontains=client)
    return every_word(sessions, q, SESSION_SEARCH_FIELDS)


def message_list(*, session: TroubleshootingSession):
    return Message.objects.for_account(session.account).filter(session=session).select_related("author")


def fact_list(*, session: TroubleshootingSession):
    return Fact.objects.for_account(session.account).filter(session=session).select_related("author")


def fix_list(*, session: TroubleshootingSession):
    return Fix.objects.for_account(session.account).filter(session=session).select_related("proposed_by")


def flow_list(*, account: Account):
    return Flow.objects.available_to(account)


def recent_sessions(*, account: Account, user: User, limit: int = 8):
    return session_list(account=account).filter(owner=user)[:limit]


# ---- what a person may do to a session now ----------------------------------------------------
# The same rules the pages use to show the composer and the buttons (``rules.may_write_session``
# and the session's state; ``escalate`` comes from handoffs through the ``session_actions``
# signal). tests/api/test_session_actions.py tries every offered and withheld action through the API.

SESSION_ACTIONS = (
    "edit",          # PATCH sessions/{id}/ (title, problem, client, ticket): writers, whatever the status
    "post_message",  # POST sessions/{id}/messages/ (a message or a note)
    "manage_facts",  # POST/PATCH/DELETE sessions/{id}/facts/
    "manage_fixes",  # POST/PATCH sessions/{id}/fixes/
    "flow_answer",   # POST sessions/{id}/flow/answer/ (a FlowPilot step with options)
    "flow_back",     # POST sessions/{id}/flow/back/
    "resolve",       # POST sessions/{id}/resolve/
    "escalate",      # POST sessions/{id}/handoff/ (handoffs adds it)
    "draft_runbook",  # POST sessions/{id}/draft-runbook/ (admins, resolved sessions)
)


def session_actions(*, session: TroubleshootingSession, user: User) -> list[str]:
    """What ``user`` may do to ``session`` now, in ``SESSION_ACTIONS`` order: the rules
    (``rules.may_write_session``, ``rules.may_manage_flows``) in the session's current state, plus
    what the ``session_actions`` signal's receivers add (``escalate``). No query: the session's
    ``account`` must be loaded (``attach_live_escalations`` sets it) when it is resolved."""
    offered = set()
    if rules.may_write_session(user, session):
        offered.add("edit")
        if session.is_open:
            offered.update({"post_message", "manage_facts", "manage_fixes", "resolve"})
            if session.mode == SessionMode.FLOW and session.flow_graph:
                step = session.flow_graph.get("steps", {}).get(session.current_step)
                if step and step.get("type") != "resolution" and step.get("options"):
                    offered.add("flow_answer")
                if session.path:
                    offered.add("flow_back")
    if (session.status == SessionStatus.RESOLVED and session.resolution.strip()
            and rules.may_manage_flows(user, session.account)):
        offered.add("draft_runbook")
    for _receiver, extra in session_actions_signal.send(sender=TroubleshootingSession, session=session, user=user):
        offered.update(extra or ())
    return [action for action in SESSION_ACTIONS if action in offered]


def attach_live_escalations(sessions, *, account: Account):
    """Set ``live_escalation`` on each session of ``sessions`` (all of ``account``): ``{"id",
    "status"}`` of its open or claimed escalation, or None, from one query for them all (the
    ``session_escalations`` signal's receivers); also sets each session's ``account``. Returns
    the same sessions as a list."""
    sessions = list(sessions)
    live: dict = {}
    if sessions:
        for _receiver, found in session_escalations.send(sender=TroubleshootingSession, sessions=sessions):
            live.update(found or {})
    for session in sessions:
        session.account = account
        session.live_escalation = live.get(session.pk)
    return sessions
