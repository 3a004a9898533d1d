"""Who may do what to an escalation (docs/architecture.md#rules), role included, written once.

The services raise when one of these says no; the API's permission classes, the pages
(``selectors.handoff_actions`` decides the buttons) and the sockets ask the same functions,
so no entry point can let through what another refuses. State (open, claimed) is not a
rule: the services decide it under a row lock (docs/architecture.md, "Locks").
"""

from accounts import rules as account_rules
from accounts.models import User
from sessions_app.models import TroubleshootingSession

from .models import Handoff


def is_raiser(handoff: Handoff, user: User) -> bool:
    """The session's owner at escalation time, or the colleague who pressed Escalate."""
    return user.pk in (handoff.requested_by_id, handoff.handed_off_by_id)


def may_view_escalations(user: User) -> bool:
    """The queue, the context screen and the events: everyone in the account."""
    return account_rules.is_member(user)


def may_escalate(session: TroubleshootingSession, user: User) -> bool:
    """Owner or peer: any engineer or admin of the session's account."""
    return account_rules.may_work(user) and user.account_id == session.account_id


def may_claim(handoff: Handoff, user: User) -> bool:
    """An engineer or admin who did not raise it (the state is for the UPDATE)."""
    return (account_rules.may_work(user) and user.account_id == handoff.account_id
            and not is_raiser(handoff, user))


def may_act_on_claim(handoff: Handoff, user: User) -> bool:
    """Release, return, resolve: the claimant, or an admin; either still an engineer or admin
    (a claimant demoted to viewer holds nothing they may act on)."""
    return (account_rules.may_work(user) and user.account_id == handoff.account_id
            and (user.pk == handoff.claimed_by_id or account_rules.is_admin(user)))


def may_cancel(handoff: Handoff, user: User) -> bool:
    """Whoever raised it, or an admin; viewers never."""
    return (account_rules.may_work(user) and user.account_id == handoff.account_id
            and (is_raiser(handoff, user) or account_rules.is_admin(user)))


# ---- pilot metrics and the manual baseline ----------------------------------------------------


def may_view_metrics(user: User) -> bool:
    """Everyone in an account sees its metrics: viewers are the service-desk managers."""
    return account_rules.is_member(user)


def may_manage_baseline(user: User) -> bool:
    """Record and delete baseline samples: the account's admins."""
    return account_rules.is_admin(user)


def may_export_metrics(user: User) -> bool:
    """The CSV names every technician and engineer with their times: admins only."""
    return account_rules.is_admin(user)
