"""Platform staff reaching into an account (issue 8, kind 12): staff without superuser rights
never act as or on another person's credentials in Django admin, and every staff change to a
person is written to the staff audit log, which admin shows and nobody edits."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts import services
from accounts.models import ApiToken, Role, StaffAuditEntry, User
from tests.accounts.test_admin import _with_all_accounts_permissions
from tests.factories import UserFactory
from tests.tasks import run_due_tasks

STRONG = "a-long-enough-pass-42"


@pytest.fixture
def staff(northwind):
    """Northwind staff with every accounts permission but no superuser rights."""
    return _with_all_accounts_permissions(UserFactory(
        account=northwind, role=Role.ENGINEER, email="nadia@northwind.test", display_name="Nadia Staff",
        is_staff=True))


@pytest.fixture
def root(db):
    return UserFactory(account=None, email="root@resolutionflow.test", display_name="Root",
                       is_staff=True, is_superuser=True)


def password_page(person):
    return reverse("admin:auth_user_password_change", args=[person.pk])


def entries(**filters):
    return list(StaffAuditEntry.objects.filter(**filters).values_list("actor_email", "action", "subject_email"))


# ---- credentials ----------------------------------------------------------------------------


def test_the_issue_instance_staff_cannot_mint_a_key_for_their_accounts_admin(client, staff, admin_user):
    client.force_login(staff)
    response = client.post(reverse("admin:accounts_apitoken_add"),
                           {"user": str(admin_user.pk), "name": "backdoor", "ttl_days": "30"})
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not ApiToken.objects.filter(user=admin_user).exists()
    assert StaffAuditEntry.objects.count() == 0


def test_staff_mint_a_key_for_themselves_and_it_is_logged(client, staff):
    client.force_login(staff)
    response = client.post(reverse("admin:accounts_apitoken_add"),
                           {"user": str(staff.pk), "name": "my script", "ttl_days": "7"})
    assert response.status_code == 302
    assert ApiToken.objects.filter(user=staff).count() == 1
    assert entries() == [(staff.email, "api_key_created", staff.email)]


def test_the_issue_instance_staff_cannot_open_their_accounts_admins_password_form(client, staff, admin_user):
    client.force_login(staff)
    assert client.get(password_page(admin_user)).status_code == 403
    response = client.post(password_page(admin_user), {"password1": STRONG, "password2": STRONG})
    assert response.status_code == 403
    admin_user.refresh_from_db()
    assert not admin_user.check_password(STRONG)


def test_staff_change_their_own_password_and_it_is_logged(client, staff):
    client.force_login(staff)
    assert client.get(password_page(staff)).status_code == 200
    response = client.post(password_page(staff),
                           {"password1": STRONG, "password2": STRONG, "usable_password": "true"})
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert entries() == [(staff.email, "password_set", staff.email)]


def test_a_superuser_sets_another_persons_password_and_it_is_logged(client, root, admin_user):
    client.force_login(root)
    response = client.post(password_page(admin_user),
                           {"password1": STRONG, "password2": STRONG, "usable_password": "true"})
    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.check_password(STRONG)
    assert entries() == [(root.email, "password_set", admin_user.email)]


def test_staff_cannot_revoke_another_persons_key(client, staff, engineer):
    theirs = services.api_token_create(user=engineer, name="PSA sync").token
    client.force_login(staff)
    response = client.post(reverse("admin:accounts_apitoken_changelist"), {
        "action": "revoke_tokens", "_selected_action": [str(theirs.pk)], "index": "0"})
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert any("only a superuser revokes" in str(m) for m in get_messages(response.wsgi_request))


def test_staff_cannot_add_a_login_with_a_password_of_their_choosing(client, staff, northwind):
    client.force_login(staff)
    response = client.post(reverse("admin:accounts_user_add"), {
        "email": "puppet@northwind.test", "display_name": "Puppet", "account": str(northwind.pk),
        "role": Role.ADMIN, "password1": STRONG, "password2": STRONG})
    assert response.status_code == 403
    assert not User.objects.filter(email="puppet@northwind.test").exists()


# ---- the audit log -----------------------------------------------------------------------------


def test_a_role_change_by_staff_is_logged_with_before_and_after(client, staff, engineer, admin_user):
    client.force_login(staff)
    response = client.post(reverse("admin:accounts_user_change", args=[engineer.pk]), {
        "display_name": engineer.display_name, "role": Role.ADMIN, "is_active": "on"})
    assert response.status_code == 302
    entry = StaffAuditEntry.objects.get()
    assert (entry.actor, entry.subject, entry.account, entry.action) == (
        staff, engineer, engineer.account, "changed")
    assert entry.changes == {"role": ["engineer", "admin"]}


def test_deactivating_from_the_list_is_logged_per_person(client, staff, engineer, viewer):
    client.force_login(staff)
    client.post(reverse("admin:accounts_user_changelist"), {
        "action": "deactivate_users", "_selected_action": [str(engineer.pk), str(viewer.pk)], "index": "0"})
    assert sorted(entries()) == sorted([(staff.email, "deactivated", engineer.email),
                                        (staff.email, "deactivated", viewer.email)])
    assert StaffAuditEntry.objects.filter(subject=engineer).get().changes == {"is_active": [True, False]}


def test_granting_staff_rights_is_logged(client, root, engineer):
    client.force_login(root)
    client.post(reverse("admin:accounts_user_change", args=[engineer.pk]), {
        "display_name": engineer.display_name, "role": engineer.role, "is_active": "on", "is_staff": "on"})
    assert StaffAuditEntry.objects.get().changes == {"is_staff": [False, True]}


def test_a_superuser_adding_a_login_is_logged(client, root, northwind):
    client.force_login(root)
    client.post(reverse("admin:accounts_user_add"), {
        "email": "nina@northwind.test", "display_name": "Nina", "account": str(northwind.pk),
        "role": Role.VIEWER, "password1": STRONG, "password2": STRONG})
    assert entries() == [(root.email, "created", "nina@northwind.test")]


def test_the_audit_log_is_in_admin_scoped_by_account_and_read_only(client, staff, root,
                                                                    engineer, outsider):
    stranger = UserFactory(account=outsider, email="otto@contoso.test")
    ours = services.staff_audit_record(actor=root, subject=engineer, action="changed")
    theirs = services.staff_audit_record(actor=root, subject=stranger, action="changed")
    changelist = reverse("admin:accounts_staffauditentry_changelist")

    client.force_login(root)
    assert set(client.get(changelist).context["cl"].result_list) == {ours, theirs}
    client.force_login(staff)
    assert set(client.get(changelist).context["cl"].result_list) == {ours}
    change = reverse("admin:accounts_staffauditentry_change", args=[ours.pk])
    assert client.get(change).status_code == 200  # readable
    client.post(change, {"action": "nothing happened"})
    ours.refresh_from_db()
    assert ours.action == "changed"
    assert client.post(reverse("admin:accounts_staffauditentry_delete", args=[ours.pk])).status_code == 403
    assert client.get(reverse("admin:accounts_staffauditentry_add")).status_code == 403


def test_the_change_page_offers_the_password_link_only_to_who_may_use_it(client, staff, root, admin_user):
    client.force_login(staff)
    assert password_page(admin_user) not in client.get(reverse("admin:accounts_user_change",
                                                               args=[admin_user.pk])).content.decode()
    assert password_page(staff) in client.get(reverse("admin:accounts_user_change", args=[staff.pk])).content.decode()
    client.force_login(root)
    assert password_page(admin_user) in client.get(reverse("admin:accounts_user_change",
                                                           args=[admin_user.pk])).content.decode()


# ---- invitations by staff of one account -------------------------------------------------------


def test_staff_invitations_are_emailed_and_never_shown_to_them(client, staff, northwind, mailoutbox,
                                                               django_capture_on_commit_callbacks):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:accounts_invitation_add"), {
            "account": str(northwind.pk), "email": "ines@northwind.test", "role": Role.ENGINEER})
    assert response.status_code == 302
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Invitation emailed to ines@northwind.test." in shown
    assert "/invitations/" not in shown
    run_due_tasks()
    assert [m.to for m in mailoutbox] == [["ines@northwind.test"]]
    assert "/invitations/" in mailoutbox[0].body


def test_staff_inviting_an_address_with_a_login_elsewhere_learn_nothing(client, staff, northwind, outsider,
                                                                        mailoutbox,
                                                                        django_capture_on_commit_callbacks):
    UserFactory(account=outsider, email="otto@contoso.test")
    client.force_login(staff)
    answers = []
    for email in ("otto@contoso.test", "fresh@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("admin:accounts_invitation_add"), {
                "account": str(northwind.pk), "email": email, "role": Role.ENGINEER})
        answers.append((response.status_code,
                        [str(m).replace(email, "<email>") for m in get_messages(response.wsgi_request)][-2:]))
    assert answers[0] == answers[1]
    assert answers[0][0] == 302


def test_a_staff_reissue_emails_the_fresh_link_without_showing_it(client, staff, northwind, admin_user,
                                                                  django_capture_on_commit_callbacks):
    issued = services.invitation_create(account=northwind, email="nick@northwind.test", role="engineer",
                                        invited_by=admin_user, send_email=False)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:accounts_invitation_changelist"), {
            "action": "reissue_invitations", "_selected_action": [str(issued.invitation.pk)], "index": "0"})
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Fresh link for nick@northwind.test" in shown
    assert "/invitations/" not in shown
