"""The demo pilot that ``manage.py seed_demo`` (and so ``make run``) loads: one place to read
and extend.

* **Northwind IT** (slug ``demo``), the MSP to try the product as: a viewer (the service desk
  manager), a junior and a senior engineer, and an admin.
* **Contoso MSP** (slug ``outsider``), a second MSP with its own admin: signed in as Olga, none
  of Northwind's data may be visible, and the other way round.
* A platform superuser for ``/admin/``.

The passwords are public: they pass Django's validators only so that the demo behaves like a
real pilot. Seeding is idempotent and converges: a second run creates nothing, and restores a
demo login's password, role or active flag if someone changed it, so the printed logins work.

Sessions and escalations come from the apps above accounts, which accounts may not import
(docs/architecture.md#rooms-and-dependencies): they receive ``accounts.signals.demo_content``, connected in their
``AppConfig.ready()``, and ``seed`` runs it after the accounts and logins exist.
"""


from dataclasses import dataclass, field

from django.db import transaction

from . import services
from .models import Account, Role, User
from .signals import demo_content, lines_of

DEMO_PASSWORD = "demo-pass-2026"
STAFF_PASSWORD = "staff-pass-2026"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    display_name: str
    role: str  # a Role value; empty for platform staff
    label: str  # how the login table describes it
    password: str = DEMO_PASSWORD


@dataclass(frozen=True)
class DemoAccount:
    name: str
    slug: str
    time_zone: str
    logins: tuple[DemoLogin, ...]


DEMO_ACCOUNTS = (
    DemoAccount(
        name="Northwind IT",
        slug="demo",
        time_zone="Europe/London",
        logins=(
            DemoLogin("vera.viewer@demo.resolutionflow.test", "Vera Lindqvist", Role.VIEWER,
                      "viewer (service desk manager)"),
            DemoLogin("jamie.junior@demo.resolutionflow.test", "Jamie Ortiz", Role.ENGINEER,
                      "engineer (junior)"),
            DemoLogin("sam.senior@demo.resolutionflow.test", "Sam Okafor", Role.ENGINEER,
                      "engineer (senior)"),
            DemoLogin("ada.admin@demo.resolutionflow.test", "Ada Whitfield", Role.ADMIN, "admin"),
        ),
    ),
    DemoAccount(
        name="Contoso MSP",
        slug="outsider",
        time_zone="America/New_York",
        logins=(
            DemoLogin("olga.admin@outsider.resolutionflow.test", "Olga Petrova", Role.ADMIN,
                      "admin (another MSP)"),
        ),
    ),
)

PLATFORM_STAFF = DemoLogin("staff@resolutionflow.test", "Pat Platform", "",
                           "platform superuser (/admin/)", password=STAFF_PASSWORD)


@dataclass
class SeedReport:
    changes: list[str] = field(default_factory=list)
    logins: list[tuple[DemoLogin, str]] = field(default_factory=list)  # (login, account name)


@transaction.atomic
def seed() -> SeedReport:
    report = SeedReport()
    accounts: dict[str, Account] = {}
    for demo in DEMO_ACCOUNTS:
        account, created = services.account_ensure(name=demo.name, slug=demo.slug, time_zone=demo.time_zone)
        accounts[demo.slug] = account
        if created:
            report.changes.append(f"Created the account {account.name} (slug {account.slug}).")
        # Admins first: restoring a demoted admin must come before demoting a promoted one,
        # or the account would briefly have no admin and the service would refuse.
        for login in sorted(demo.logins, key=lambda login: login.role != Role.ADMIN):
            user, created = services.member_ensure(account=account, email=login.email, role=login.role,
                                                   password=login.password, display_name=login.display_name)
            if created:
                report.changes.append(f"Created {login.email}, {login.label}.")
            else:
                report.changes.extend(_restore(user, login))
        report.logins.extend((login, account.name) for login in demo.logins)
        report.changes.extend(services.starter_content_load(account=account))

    staff, created = services.platform_staff_ensure(
        email=PLATFORM_STAFF.email, password=PLATFORM_STAFF.password,
        display_name=PLATFORM_STAFF.display_name, superuser=True,
    )
    if created:
        report.changes.append(f"Created {staff.email}, {PLATFORM_STAFF.label}.")
    elif not staff.check_password(PLATFORM_STAFF.password):
        services.user_password_set(user=staff, password=PLATFORM_STAFF.password)
        report.changes.append(f"Restored the demo password of {staff.email}.")
    report.logins.append((PLATFORM_STAFF, "—"))

    # Demo content of the apps above accounts (accounts.signals.demo_content), in app order.
    report.changes.extend(lines_of(demo_content.send(sender=Account, accounts=accounts)))
    return report


def _restore(user: User, login: DemoLogin) -> list[str]:
    """Put a demo login that someone changed back the way the table shows it."""
    lines = []
    changes = {}
    if user.role != login.role:
        changes["role"] = login.role
    if not user.is_active:
        changes["is_active"] = True
    if changes:
        services.user_update(user=user, actor=None, **changes)
        lines.append(f"Restored the demo role and active flag of {user.email}.")
    if not user.check_password(login.password):
        services.user_password_set(user=user, password=login.password)
        lines.append(f"Restored the demo password of {user.email}.")
    return lines
