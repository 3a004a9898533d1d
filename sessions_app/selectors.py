"""Reads scoped to an account: every page and API list of sessions starts here."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import Account, User
from sessions_app.models import Fact, Fix, Flow, Message, TroubleshootingSession


def session_list(*, account: Account):
    return TroubleshootingSession.objects.for_account(account).select_related("owner", "assignee", "flow")


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
    pages uses ``session_list`` and ``attach_item_counts`` on the page, so the counts are
    computed for the rows shown, not for every session of the account."""
    return _with_item_counts(session_list(account=account), account=account)


def attach_item_counts(sessions, *, account: Account):
    """Set ``messages_count``, ``facts_count`` and ``fixes_count`` (ints) on each session of a page
    (a list of at most a page of sessions, all of ``account``) with one query over their ids;
    returns the same list."""
    sessions = list(sessions)
    if any(session.account_id != account.pk for session in sessions):
        raise ValueError("attach_item_counts: every session must belong to the account")
    # By primary key alone: the rows were read through the account's scope already, and with
    # the account in the WHERE clause SQLite walks the account's index over every session of
    # the account (54 ms at 20,000 sessions) instead of looking the page's ids up.
    counts = {row[0]: row[1:] for row in _with_item_counts(
        TroubleshootingSession.unscoped.filter(pk__in=[s.pk for s in sessions]).order_by(),
        account=account,
    ).values_list("pk", "messages_count", "facts_count", "fixes_count")}
    for session in sessions:
        session.messages_count, session.facts_count, session.fixes_count = counts.get(session.pk, (0, 0, 0))
    return sessions


def session_search(*, account: Account, user: User, mode: str | None = None, status: str | None = None,
                   owner: str | None = None, client: str | None = None, q: str | None = None):
    """Session History: ``owner`` is "me", a user id, or empty for everyone in the account."""
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
    if q:
        sessions = sessions.filter(Q(title__icontains=q) | Q(problem__icontains=q) | Q(ticket_ref__icontains=q)
                                   | Q(resolution__icontains=q) | Q(client_name__icontains=q))
    return sessions


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
