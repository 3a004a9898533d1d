"""Who may do what in an account (docs/architecture.md#rules), role included, written once.

Every entry point asks these predicates and nothing else: the API's permission classes
(``accounts.permissions``), the page decorators, the templates (through the ``may`` context
processor), Django admin and the services, which raise ``NotPermitted`` through ``require``.
The escalation and session rules build on them (``handoffs.rules``, ``sessions_app.rules``).

``None`` as the user is the platform path: management commands and platform staff in Django
admin act for the platform, not as a member, and the account rules let them through.
"""

from accounts.errors import NotPermitted
from accounts.models import Account, Role, User


def require(allowed: bool, detail: str, *, code: str = "permission_denied") -> None:
    """Raise ``NotPermitted(detail, code)`` unless ``allowed``: how services enforce a rule."""
    if not allowed:
        raise NotPermitted(detail, code=code)


def is_member(user) -> bool:
    """A signed-in, active user of some account (viewer, engineer or admin)."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.account_id)


def is_member_of(user, account: Account | None) -> bool:
    return is_member(user) and account is not None and user.account_id == account.pk


def may_work(user) -> bool:
    """Engineers and admins work: start and write sessions, escalate, pick up. Viewers read."""
    return is_member(user) and user.role in (Role.ENGINEER, Role.ADMIN)


def is_admin(user) -> bool:
    """An active admin of their account."""
    return is_member(user) and user.role == Role.ADMIN


def is_viewer(user) -> bool:
    return is_member(user) and user.role == Role.VIEWER


def may_manage_account(user: User | None, account: Account) -> bool:
    """People, invitations, settings, the webhook and the baseline of ``account``: its admins,
    or the platform (``user=None``)."""
    return user is None or (is_admin(user) and user.account_id == account.pk)


def require_manage_account(user: User | None, account: Account) -> None:
    """``NotPermitted`` (``permission_denied``) unless ``may_manage_account``."""
    require(may_manage_account(user, account), "Only an admin of this account may do that.")


def may_handle_credentials_of(actor, person) -> bool:
    """Whether ``actor`` may set ``person``'s password, mint or revoke their API keys, or
    create a login with a password for someone: superusers for anyone, anyone for
    themselves. Staff without superuser rights never act as or on another person's
    credentials (issue 8, kind 12); they invite people and deactivate them instead.
    ``person`` None means a person not created yet (a new login)."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    return person is not None and person.pk == actor.pk
