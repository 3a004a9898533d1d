"""Pilot setup: what create_pilot_account, invite_user and seed_demo compose."""

from django.utils.text import slugify

from accounts.errors import Conflict
from accounts.models import Account, User
from accounts.signals import lines_of, starter_content

from .accounts import account_create, user_create

# ---- pilot setup -----------------------------------------------------------------------
# The management commands that set pilots up (create_pilot_account, invite_user, seed_demo)
# compose the functions above. The ``*_ensure`` functions return what they found or made and
# whether they made it, so a second run creates nothing and can say what already existed.

def starter_content_registered() -> bool:
    """Whether any app loads starter content (``accounts.signals.starter_content``)."""
    return starter_content.has_listeners(Account)


def starter_content_load(*, account: Account) -> list[str]:
    """Send ``accounts.signals.starter_content`` for the account; the receivers' report lines
    ("Loaded 13 starter flows")."""
    return lines_of(starter_content.send(sender=Account, account=account))


def account_ensure(*, name: str, slug: str | None = None, time_zone: str = "UTC") -> tuple[Account, bool]:
    """The account with this slug (from ``slug`` or the name), created when missing.

    An existing account is returned as it is: its name and time zone are not overwritten."""
    key = slugify(slug or name)[:60]
    existing = Account.objects.filter(slug=key).first() if key else None
    if existing is not None:
        return existing, False
    return account_create(name=name, slug=key or None, time_zone=time_zone), True


def member_ensure(*, account: Account, email: str, role: str, password: str | None,
                  display_name: str = "") -> tuple[User, bool]:
    """The user with this email in this account, created (with this role) when missing.

    An existing member is returned unchanged: the caller decides what a different role or
    password means. An address that signs in to another account, or is platform staff,
    is refused: one login belongs to one account."""
    email = email.strip().lower()
    user = User.objects.select_related("account").filter(email__iexact=email).first()
    if user is None:
        return user_create(account=account, email=email, password=password, role=role,
                           display_name=display_name), True
    if user.account_id != account.id:
        where = f"the account {user.account.name} ({user.account.slug})" if user.account else "platform staff"
        raise Conflict(f"{email} already has a login in {where}; one login belongs to one account.",
                           code="user_exists")
    return user, False


def platform_staff_ensure(*, email: str, password: str, display_name: str = "",
                          superuser: bool = False) -> tuple[User, bool]:
    """A platform staff login (no account; may use /admin/), created when missing. An existing
    login without an account keeps its password and gets the staff flags it lacks."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        if user.account_id is not None:
            raise Conflict(f"{email} belongs to an account and cannot be platform staff.",
                               code="user_exists")
        flags = {"is_staff": True, **({"is_superuser": True} if superuser else {})}
        missing = {flag: value for flag, value in flags.items() if getattr(user, flag) != value}
        if missing:
            User.objects.filter(pk=user.pk).update(**missing)
            user.refresh_from_db()
        return user, False
    user = user_create(account=None, email=email, password=password, display_name=display_name,
                       is_staff=True)
    if superuser:
        User.objects.filter(pk=user.pk).update(is_superuser=True)
        user.is_superuser = True
    return user, True
