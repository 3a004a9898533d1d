"""Reads scoped to an account (docs/architecture.md#rooms-and-dependencies): every query that shows tenant data starts
here. ``people_by_id`` alone reads by id: it follows ids taken from rows already read through
their account, as a join would (a person who moved account is still shown on the rows they own)."""

from django.db.models import Q
from django.utils import timezone

from .models import Account, ApiToken, Invitation, User

INVITATION_STATUSES = ("pending", "accepted", "revoked", "expired")


# What a list shows of a person (accounts.api.serializers.UserSummarySerializer): the only
# columns ``people_by_id`` loads.
PERSON_SUMMARY_FIELDS = ("id", "account_id", "email", "display_name", "role")


def people_by_id(ids) -> dict:
    """``{user id: User}`` for ``ids`` (None ignored), in one query (none for no ids), each loaded
    with ``PERSON_SUMMARY_FIELDS`` only: reading another field of them costs a query. For lists
    that show the people of a page, the ids taken from rows read through their account already
    (as a join would follow them; issue 9: a join gave every row its own whole user row)."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return {}
    return {person.pk: person for person in User.objects.filter(pk__in=ids).order_by()
            .only(*PERSON_SUMMARY_FIELDS)}


def user_list(*, account: Account):
    return User.objects.filter(account=account).order_by("display_name", "email")


def invitation_list(*, account: Account):
    return Invitation.objects.for_account(account).select_related("invited_by").order_by("-created_at", "-id")


def invitation_status_q(status: str) -> Q:
    """The rows whose ``Invitation.status`` is ``status`` (one of ``INVITATION_STATUSES``)."""
    now = timezone.now()
    return {
        "accepted": Q(accepted_at__isnull=False),
        "revoked": Q(accepted_at__isnull=True, revoked_at__isnull=False),
        "expired": Q(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now),
        "pending": Q(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now),
    }[status]


def account_admins(*, account: Account):
    return user_list(account=account).filter(role="admin", is_active=True)


def account_for_user(*, user: User) -> Account:
    """A fresh copy of the user's account, for a form that may change it: a refused change
    then leaves ``request.user.account`` (shown in the page header) as it is in the database."""
    return Account.objects.get(pk=user.account_id)


def api_tokens_usable(*, user: User):
    """``user``'s own API tokens that still work (not revoked, not expired), newest first.
    Scoped by the person, not the account: a token is one person's credential."""
    return ApiToken.objects.filter(user=user, revoked_at=None, expires_at__gt=timezone.now()).order_by(
        "-created_at", "-id")
