"""Pilot setup: what create_pilot_account, invite_user and seed_demo compose."""

from collections.abc import Callable

from django.utils.text import slugify

from accounts.errors import ServiceError
from accounts.models import Account, User

from .accounts import account_create, user_create

# ---- pilot setup -----------------------------------------------------------------------
# The management commands that set pilots up (create_pilot_account, invite_user, seed_demo)
# compose the functions above. The ``*_ensure`` functions return what they found or made and
# whether they made it, so a second run creates nothing and can say what already existed.

StarterContentLoader = Callable[[Account], str | None]
_starter_content_loaders: list[StarterContentLoader] = []


def starter_content_register(loader: StarterContentLoader) -> StarterContentLoader:
    """Add a loader of starter content (the global flow library, ...) for every pilot account.

    Apps above accounts register from their ``AppConfig.ready()``: accounts may not import
    them (DESIGN.md §2). A loader must be idempotent and returns a line for the operator
    ("Loaded 12 starter flows") or None when it had nothing to do.
    """
    if loader not in _starter_content_loaders:
        _starter_content_loaders.append(loader)
    return loader


def starter_content_registered() -> bool:
    return bool(_starter_content_loaders)


def starter_content_load(*, account: Account) -> list[str]:
    """Run every registered starter-content loader for the account; their report lines."""
    return [line for loader in list(_starter_content_loaders) if (line := loader(account))]


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
        raise ServiceError(f"{email} already has a login in {where}; one login belongs to one account.",
                           code="user_exists", status=409)
    return user, False


def platform_staff_ensure(*, email: str, password: str, display_name: str = "",
                          superuser: bool = False) -> tuple[User, bool]:
    """A platform staff login (no account; may use /admin/), created when missing. An existing
    login without an account keeps its password and gets the staff flags it lacks."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        if user.account_id is not None:
            raise ServiceError(f"{email} belongs to an account and cannot be platform staff.",
                               code="user_exists", status=409)
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
