"""Who may do what to an escalation (DESIGN.md §4), written once.

The services raise when one of these says no; the pages ask the same functions which
buttons to offer, so the two cannot drift apart.
"""

from accounts.models import Role, User

from .models import Handoff


def is_raiser(handoff: Handoff, user: User) -> bool:
    """The session's owner at escalation time, or the colleague who pressed Escalate."""
    return user.pk in (handoff.requested_by_id, handoff.handed_off_by_id)


def is_admin(user: User) -> bool:
    return user.is_active and user.role == Role.ADMIN


def may_claim(handoff: Handoff, user: User) -> bool:
    """Role-wise: an engineer or admin who did not raise it (the state is for the UPDATE)."""
    return user.is_engineer_or_admin and not is_raiser(handoff, user)


def may_act_on_claim(handoff: Handoff, user: User) -> bool:
    """Release, return, resolve: the claimant, or an admin."""
    return user.pk == handoff.claimed_by_id or is_admin(user)


def may_cancel(handoff: Handoff, user: User) -> bool:
    return is_raiser(handoff, user) or is_admin(user)


# ---- pilot metrics and the manual baseline (issue 10) ---------------------------------------


def may_view_metrics(user: User) -> bool:
    """Everyone in an account sees its metrics: viewers are the service-desk managers."""
    return user.is_active and user.account_id is not None


def may_manage_baseline(user: User) -> bool:
    """Record and delete baseline samples: the account's admins."""
    return is_admin(user) and user.account_id is not None


def may_export_metrics(user: User) -> bool:
    """The CSV names every technician and engineer with their times: admins only."""
    return is_admin(user) and user.account_id is not None
