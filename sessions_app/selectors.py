"""Reads scoped to an account: every page and API list of sessions starts here."""

from django.db.models import Q

from accounts.models import Account, User
from sessions_app.models import Fact, Fix, Flow, Message, TroubleshootingSession


def session_list(*, account: Account):
    return TroubleshootingSession.objects.for_account(account).select_related("owner", "assignee", "flow")


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
