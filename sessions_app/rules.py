"""Who may do what to troubleshooting sessions and runbooks (docs/architecture.md#rules), written once.

Reading is for everyone in the account (the scoped selectors see to the account). Writing is
for the owner, an admin of the account, and the engineer holding the claim of the session's
open escalation (``session.assignee``, set and cleared through ``sessions_app.services`` by
the escalation services). Viewers never write.
"""

from accounts import rules as account_rules
from accounts.models import Account, User
from sessions_app.models import TroubleshootingSession


def may_start_session(user: User) -> bool:
    return account_rules.may_work(user)


def may_write_session(user: User, session: TroubleshootingSession) -> bool:
    if not account_rules.may_work(user) or user.account_id != session.account_id:
        return False
    return account_rules.is_admin(user) or user.pk in (session.owner_id, session.assignee_id)


def may_manage_flows(user: User | None, account: Account) -> bool:
    """Create, edit and import the account's runbooks: its admins (or the platform)."""
    return account_rules.may_manage_account(user, account)
