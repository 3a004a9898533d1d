"""Pilot-setup commands: create_pilot_account, invite_user, seed_demo."""

import re
from contextlib import contextmanager
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError

from accounts import demo, services
from accounts.errors import ServiceError
from accounts.models import Account, Invitation, Role, User
from accounts.signals import demo_content, starter_content
from sessions_app.flows.library import starter_library_ensure
from tests.tasks import run_due_tasks

STRONG = "a-long-enough-pass-42"
LINK = re.compile(r"https?://\S+/invitations/(?P<token>[^/\s]+)/")


def run(command, *args, **options):
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def token_in(output):
    match = LINK.search(output)
    assert match, output
    return match["token"]


def counts():
    return (Account.objects.count(), User.objects.count(), Invitation.unscoped.count(),
            Invitation.unscoped.filter(accepted_at=None, revoked_at=None).count())


@contextmanager
def connected(signal, receiver):
    """``receiver`` connected to ``signal`` for the block."""
    signal.connect(receiver, sender=Account, dispatch_uid="test-receiver")
    try:
        yield
    finally:
        signal.disconnect(sender=Account, dispatch_uid="test-receiver")


@pytest.fixture
def starter_loaders():
    """sessions_app's starter library disconnected for the test (and connected again after),
    so a pilot gets only what the test connects."""
    starter_content.disconnect(sender=Account, dispatch_uid="sessions_app.starter_library")
    yield
    starter_content.connect(starter_library_ensure, sender=Account, dispatch_uid="sessions_app.starter_library")


# ---- --help --------------------------------------------------------------------------------


@pytest.mark.parametrize("name, words", [
    ("create_pilot_account", ["first admin", "invitation link", "Safe to run again"]),
    ("invite_user", ["invitation link", "fresh link"]),
    ("seed_demo", ["Northwind IT", "Contoso MSP", "Prints the logins", "Safe to run again"]),
])
def test_each_command_explains_what_it_does_and_prints(name, words):
    text = " ".join(load_command_class("accounts", name).create_parser("manage.py", name).format_help().split())
    for word in words:
        assert word in text


# ---- create_pilot_account ------------------------------------------------------------------


def test_a_pilot_with_a_password_gets_an_admin_who_can_sign_in(db, starter_loaders):
    output = run("create_pilot_account", "Fabrikam Support", admin_email="Ana@Fabrikam.test",
                 admin_password=STRONG, admin_name="Ana Admin", time_zone="Europe/Berlin")
    account = Account.objects.get(slug="fabrikam-support")
    assert (account.name, account.time_zone) == ("Fabrikam Support", "Europe/Berlin")
    user = authenticate(username="ana@fabrikam.test", password=STRONG)
    assert (user.account, user.role, user.display_name) == (account, Role.ADMIN, "Ana Admin")
    assert "Created the account Fabrikam Support" in output and "Created the admin login" in output
    assert "No starter content is registered" in output


def test_a_pilot_without_a_password_prints_an_invitation_link_that_accepts(db, starter_loaders):
    output = run("create_pilot_account", "Fabrikam Support", admin_email="ana@fabrikam.test",
                 slug="fabrikam", no_email=True)
    user = services.invitation_accept(token=token_in(output), display_name="Ana", password=STRONG)
    assert (user.account.slug, user.role) == ("fabrikam", Role.ADMIN)
    assert not User.objects.exclude(pk=user.pk).exists()


def test_the_invitation_link_is_emailed_too(db, starter_loaders, mailoutbox,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        output = run("create_pilot_account", "Fabrikam Support", admin_email="ana@fabrikam.test")
    run_due_tasks()
    assert [mail.to for mail in mailoutbox] == [["ana@fabrikam.test"]]
    assert token_in(output) in mailoutbox[0].body


def test_running_it_again_duplicates_nothing_and_says_what_existed(db, starter_loaders):
    args = ("create_pilot_account", "Fabrikam Support")
    run(*args, admin_email="ana@fabrikam.test", admin_password=STRONG)
    before = counts()
    output = run(*args, admin_email="ana@fabrikam.test", admin_password="another-long-pass-77")
    assert counts() == before
    assert "already exists" in output and "already an admin" in output and "not changed" in output
    assert authenticate(username="ana@fabrikam.test", password=STRONG) is not None


def test_running_it_again_with_another_name_or_time_zone_says_so_and_changes_nothing(db, starter_loaders):
    run("create_pilot_account", "Fabrikam Support", admin_email="ana@fabrikam.test", admin_password=STRONG)
    output = run("create_pilot_account", "Fabrikam", slug="fabrikam-support", time_zone="Asia/Tokyo",
                 admin_email="ana@fabrikam.test")
    account = Account.objects.get()
    assert (account.name, account.time_zone) == ("Fabrikam Support", "UTC")
    assert "its name is 'Fabrikam Support', not 'Fabrikam'" in output
    assert "its time zone is 'UTC', not 'Asia/Tokyo'" in output


def test_running_it_again_for_a_pending_invitation_issues_a_fresh_link(db, starter_loaders):
    args = ("create_pilot_account", "Fabrikam Support")
    first = token_in(run(*args, admin_email="ana@fabrikam.test", no_email=True))
    before = counts()
    output = run(*args, admin_email="ana@fabrikam.test", no_email=True)
    assert counts() == before
    assert "fresh link" in output
    second = token_in(output)
    assert second != first
    with pytest.raises(ServiceError):
        services.invitation_accept(token=first, display_name="Ana", password=STRONG)
    assert services.invitation_accept(token=second, display_name="Ana", password=STRONG).role == Role.ADMIN


def test_an_admin_email_of_another_account_is_a_clear_error_that_changes_nothing(outsider_admin, starter_loaders):
    before = counts()
    with pytest.raises(CommandError, match="already has a login in the account Contoso"):
        run("create_pilot_account", "Fabrikam Support", admin_email=outsider_admin.email,
            admin_password=STRONG)
    with pytest.raises(CommandError, match="already has a login"):
        run("create_pilot_account", "Fabrikam Support", admin_email=outsider_admin.email)
    assert counts() == before


def test_an_existing_member_who_is_not_an_admin_is_refused(engineer, northwind, starter_loaders):
    with pytest.raises(CommandError, match="member of Northwind IT as engineer, not an admin"):
        run("create_pilot_account", "Northwind IT", slug=northwind.slug, admin_email=engineer.email)


def test_a_weak_password_is_refused_with_the_validators_words_and_creates_nothing(db, starter_loaders):
    with pytest.raises(CommandError) as exc:
        run("create_pilot_account", "Fabrikam Support", admin_email="ana@fabrikam.test", admin_password="12345")
    assert "too short" in str(exc.value) and "entirely numeric" in str(exc.value)
    assert counts() == (0, 0, 0, 0)


def test_an_unknown_time_zone_is_refused(db, starter_loaders):
    with pytest.raises(CommandError, match="not a known time zone"):
        run("create_pilot_account", "Fabrikam Support", admin_email="ana@fabrikam.test", time_zone="Mars/Olympus")
    assert not Account.objects.exists()


def test_connected_starter_content_is_loaded_for_the_pilot(db, starter_loaders):
    seen = []

    def load_flows(account, **_signal):
        seen.append(account.slug)
        return f"Loaded 3 starter flows into {account.name}."

    with connected(starter_content, load_flows):
        output = run("create_pilot_account", "Fabrikam Support", admin_email="ana@fabrikam.test", no_email=True)
    assert seen == ["fabrikam-support"] and "Loaded 3 starter flows into Fabrikam Support." in output


# ---- invite_user ----------------------------------------------------------------------------


def test_inviting_prints_a_link_that_joins_the_account_with_the_role(northwind):
    output = run("invite_user", account=northwind.slug, email="Nia@Northwind.test", role="viewer", no_email=True)
    user = services.invitation_accept(token=token_in(output), display_name="Nia", password=STRONG)
    assert (user.email, user.account, user.role) == ("nia@northwind.test", northwind, Role.VIEWER)


def test_inviting_again_issues_a_fresh_link_without_a_second_invitation(northwind):
    first = token_in(run("invite_user", account=northwind.slug, email="nia@northwind.test", role="viewer",
                         no_email=True))
    before = counts()
    output = run("invite_user", account=northwind.slug, email="nia@northwind.test", role="viewer", no_email=True)
    assert counts() == before and "fresh link" in output
    assert token_in(output) != first


def test_inviting_again_with_another_role_replaces_the_invitation(northwind):
    run("invite_user", account=northwind.slug, email="nia@northwind.test", role="viewer", no_email=True)
    output = run("invite_user", account=northwind.slug, email="nia@northwind.test", role="admin", no_email=True)
    assert "replaced it with an invitation as admin" in output
    pending = Invitation.objects.for_account(northwind).filter(accepted_at=None, revoked_at=None)
    assert [invitation.role for invitation in pending] == [Role.ADMIN]


def test_an_unknown_slug_is_a_clear_error(northwind):
    with pytest.raises(CommandError, match=r"No account has the slug 'nowhere'\. Known slugs: northwind"):
        run("invite_user", account="nowhere", email="nia@northwind.test", role="viewer")


def test_a_bad_role_is_a_clear_error(northwind):
    with pytest.raises(CommandError, match="invalid choice: 'boss'"):
        run("invite_user", account=northwind.slug, email="nia@northwind.test", role="boss")
    assert not Invitation.unscoped.exists()


def test_an_address_with_a_login_is_a_clear_error(northwind, outsider_admin):
    with pytest.raises(CommandError, match="already has a ResolutionFlow login"):
        run("invite_user", account=northwind.slug, email=outsider_admin.email, role="engineer")
    assert not Invitation.unscoped.exists()


# ---- seed_demo --------------------------------------------------------------------------------


def seed():
    return run("seed_demo", force=True)


def test_seeding_creates_the_demo_pilot_and_prints_logins_that_work(db):
    output = seed()
    demo_account = Account.objects.get(slug="demo")
    assert demo_account.name == "Northwind IT" and Account.objects.get(slug="outsider").name == "Contoso MSP"
    assert sorted(User.objects.filter(account=demo_account).values_list("role", flat=True)) == [
        Role.ADMIN, Role.ENGINEER, Role.ENGINEER, Role.VIEWER]
    logins = [login for account in demo.DEMO_ACCOUNTS for login in account.logins] + [demo.PLATFORM_STAFF]
    for login in logins:
        assert f"{login.email}" in output and login.password in output
        assert authenticate(username=login.email, password=login.password) is not None, login.email
    staff = User.objects.get(email=demo.PLATFORM_STAFF.email)
    assert staff.is_superuser and staff.is_staff and staff.account is None
    assert "http://127.0.0.1:8000/" in output


def test_seeding_twice_changes_nothing_and_still_prints_the_logins(db):
    first = seed()
    before = counts(), sorted(User.objects.values_list("email", "password", "role", "is_active"))
    second = seed()
    assert (counts(), sorted(User.objects.values_list("email", "password", "role", "is_active"))) == before
    assert "nothing changed" in second
    assert first.split("EMAIL", 1)[1] == second.split("EMAIL", 1)[1]


def test_seeding_restores_a_demo_login_someone_changed(db):
    seed()
    ada = User.objects.get(email="ada.admin@demo.resolutionflow.test")
    sam = User.objects.get(email="sam.senior@demo.resolutionflow.test")
    services.user_update(user=sam, actor=None, role=Role.ADMIN)
    services.user_update(user=ada, actor=None, role=Role.ENGINEER)
    services.user_password_set(user=ada, password="changed-by-someone-99")
    output = seed()
    ada.refresh_from_db(), sam.refresh_from_db()
    assert (ada.role, sam.role) == (Role.ADMIN, Role.ENGINEER)
    assert authenticate(username=ada.email, password=demo.DEMO_PASSWORD) == ada
    assert "Restored the demo password of ada.admin@demo.resolutionflow.test" in output


def test_seeding_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs only with DEBUG=true"):
        run("seed_demo")
    assert not Account.objects.exists()


def test_connected_demo_content_is_seeded_with_the_demo_accounts(db):
    seen = []

    def load_sessions(accounts, **_signal):
        seen.append(sorted(accounts))
        return "Added 2 demo sessions."

    with connected(demo_content, load_sessions):
        assert "Added 2 demo sessions." in seed()
    assert seen == [["demo", "outsider"]]


def test_a_second_pilot_says_the_registered_starter_content_was_already_there(db):
    # The real registry: sessions_app registers the starter flow library.
    first = run("create_pilot_account", "Fabrikam Support", admin_email="ana@fabrikam.test", admin_password=STRONG)
    second = run("create_pilot_account", "Tailspin IT", admin_email="tom@tailspin.test", admin_password=STRONG)
    assert "Starter flow library:" in first
    assert "Starter content was already in place" in second
