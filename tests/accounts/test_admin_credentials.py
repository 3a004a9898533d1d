"""Platform staff reaching into an account (issue 8, kind 12): staff without superuser rights
never act as or on another person's credentials in Django admin, and every staff change to a
person is written to the staff audit log, which admin shows and nobody edits."""

from django.contrib.messages import get_messages
from django.urls import reverse

from accounts import services
from accounts.models import ApiToken, Role, StaffAuditEntry, User
from tests.accounts.test_admin import northwind_staff, superuser  # noqa: F401  (fixtures)
from tests.factories import UserFactory

STRONG = "a-long-enough-pass-42"


def password_page(person):
    return reverse("admin:auth_user_password_change", args=[person.pk])


def entries(**filters):
    return list(StaffAuditEntry.objects.filter(**filters).values_list("actor_email", "action", "subject_email"))


# ---- credentials ----------------------------------------------------------------------------


def test_the_issue_instance_staff_cannot_mint_a_key_for_their_accounts_admin(client, northwind_staff, admin_user):
    client.force_login(northwind_staff)
    response = client.post(reverse("admin:accounts_apitoken_add"),
                           {"user": str(admin_user.pk), "name": "backdoor", "ttl_days": "30"})
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not ApiToken.objects.filter(user=admin_user).exists()
    assert StaffAuditEntry.objects.count() == 0


def test_staff_mint_a_key_for_themselves_and_it_is_logged(client, northwind_staff):
    client.force_login(northwind_staff)
    response = client.post(reverse("admin:accounts_apitoken_add"),
                           {"user": str(northwind_staff.pk), "name": "my script", "ttl_days": "7"})
    assert response.status_code == 302
    assert ApiToken.objects.filter(user=northwind_staff).count() == 1
    assert entries() == [(northwind_staff.email, "api_key_created", northwind_staff.email)]


def test_the_issue_instance_staff_cannot_open_their_accounts_admins_password_form(client, northwind_staff, admin_user):
    client.force_login(northwind_staff)
    assert client.get(password_page(admin_user)).status_code == 403
    response = client.post(password_page(admin_user), {"password1": STRONG, "password2": STRONG})
    assert response.status_code == 403
    admin_user.refresh_from_db()
    assert not admin_user.check_password(STRONG)


def test_staff_change_their_own_password_and_it_is_logged(client, northwind_staff):
    client.force_login(northwind_staff)
    assert client.get(password_page(northwind_staff)).status_code == 200
    response = client.post(password_page(northwind_staff),
                           {"password1": STRONG, "password2": STRONG, "usable_password": "true"})
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert entries() == [(northwind_staff.email, "password_set", northwind_staff.email)]


def test_a_superuser_sets_another_persons_password_and_it_is_logged(client, superuser, admin_user):  # noqa: F811
    client.force_login(superuser)
    response = client.post(password_page(admin_user),
                           {"password1": STRONG, "password2": STRONG, "usable_password": "true"})
    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.check_password(STRONG)
    assert entries() == [(superuser.email, "password_set", admin_user.email)]


def test_staff_cannot_revoke_another_persons_key(client, northwind_staff, engineer):
    theirs = services.api_token_create(user=engineer, name="PSA sync").token
    client.force_login(northwind_staff)
    response = client.post(reverse("admin:accounts_apitoken_changelist"), {
        "action": "revoke_tokens", "_selected_action": [str(theirs.pk)], "index": "0"})
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert any("only a superuser revokes" in str(m) for m in get_messages(response.wsgi_request))


def test_staff_cannot_add_a_login_with_a_password_of_their_choosing(client, northwind_staff, northwind):
    client.force_login(northwind_staff)
    response = client.post(reverse("admin:accounts_user_add"), {
        "email": "puppet@northwind.test", "display_name": "Puppet", "account": str(northwind.pk),
        "role": Role.ADMIN, "password1": STRONG, "password2": STRONG})
    assert response.status_code == 403
    assert not User.objects.filter(email="puppet@northwind.test").exists()


# ---- the audit log -----------------------------------------------------------------------------


def test_a_role_change_by_staff_is_logged_with_before_and_after(client, northwind_staff, engineer, admin_user):
    client.force_login(northwind_staff)
    response = client.post(reverse("admin:accounts_user_change", args=[engineer.pk]), {
        "display_name": engineer.display_name, "role": Role.ADMIN, "is_active": "on"})
    assert response.status_code == 302
    entry = StaffAuditEntry.objects.get()
    assert (entry.actor, entry.subject, entry.account, entry.action) == (
        northwind_staff, engineer, engineer.account, "changed")
    assert entry.changes == {"role": ["engineer", "admin"]}


def test_deactivating_from_the_list_is_logged_per_person(client, northwind_staff, engineer, viewer):
    client.force_login(northwind_staff)
    client.post(reverse("admin:accounts_user_changelist"), {
        "action": "deactivate_users", "_selected_action": [str(engineer.pk), str(viewer.pk)], "index": "0"})
    assert sorted(entries()) == sorted([(northwind_staff.email, "deactivated", engineer.email),
                                        (northwind_staff.email, "deactivated", viewer.email)])
    assert StaffAuditEntry.objects.filter(subject=engineer).get().changes == {"is_active": [True, False]}


def test_granting_staff_rights_is_logged(client, superuser, engineer):  # noqa: F811
    client.force_login(superuser)
    client.post(reverse("admin:accounts_user_change", args=[engineer.pk]), {
        "display_name": engineer.display_name, "role": engineer.role, "is_active": "on", "is_staff": "on"})
    assert StaffAuditEntry.objects.get().changes == {"is_staff": [False, True]}


def test_a_superuser_adding_a_login_is_logged(client, superuser, northwind):  # noqa: F811
    client.force_login(superuser)
    client.post(reverse("admin:accounts_user_add"), {
        "email": "nina@northwind.test", "display_name": "Nina", "account": str(northwind.pk),
        "role": Role.VIEWER, "password1": STRONG, "password2": STRONG})
    assert entries() == [(superuser.email, "created", "nina@northwind.test")]


def test_the_audit_log_is_in_admin_scoped_by_account_and_read_only(client, northwind_staff, superuser,  # noqa: F811
                                                                    engineer, outsider):
    stranger = UserFactory(account=outsider, email="otto@contoso.test")
    ours = services.staff_audit_record(actor=superuser, subject=engineer, action="changed")
    theirs = services.staff_audit_record(actor=superuser, subject=stranger, action="changed")
    changelist = reverse("admin:accounts_staffauditentry_changelist")

    client.force_login(superuser)
    assert set(client.get(changelist).context["cl"].result_list) == {ours, theirs}
    client.force_login(northwind_staff)
    assert set(client.get(changelist).context["cl"].result_list) == {ours}
    change = reverse("admin:accounts_staffauditentry_change", args=[ours.pk])
    assert client.get(change).status_code == 200  # readable
    client.post(change, {"action": "nothing happened"})
    ours.refresh_from_db()
    assert ours.action == "changed"
    assert client.post(reverse("admin:accounts_staffauditentry_delete", args=[ours.pk])).status_code == 403
    assert client.get(reverse("admin:accounts_staffauditentry_add")).status_code == 403
