"""Django admin: platform staff see every account; an account's staff see only their own."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts import services
from accounts.models import Account, ApiToken, Invitation, Role, User
from tests.factories import InvitationFactory, UserFactory

MODELS = ["account", "user", "invitation", "apitoken"]
STRONG = "a-long-enough-pass-42"


@pytest.fixture
def superuser(db):
    return UserFactory(account=None, email="root@resolutionflow.test", display_name="Root",
                       is_staff=True, is_superuser=True)


def _with_all_accounts_permissions(user):
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="accounts"))
    return user


@pytest.fixture
def northwind_staff(northwind):
    """Staff of Northwind with every accounts permission; an engineer, so the admin's power
    comes from Django permissions, not from the account role."""
    return _with_all_accounts_permissions(UserFactory(
        account=northwind, role=Role.ENGINEER, email="nadia@northwind.test", display_name="Nadia Staff",
        is_staff=True,
    ))


@pytest.fixture
def accountless_staff(db):
    return _with_all_accounts_permissions(UserFactory(
        account=None, email="pat@resolutionflow.test", display_name="Pat Platform", is_staff=True,
    ))


@pytest.fixture
def world(personas, northwind, outsider):
    """One object of each kind in both accounts."""
    return {
        "northwind": {
            "account": northwind,
            "user": personas["engineer"],
            "invitation": InvitationFactory(account=northwind, email="nick@northwind.test"),
            "apitoken": services.api_token_create(user=personas["engineer"], name="PSA sync").token,
        },
        "outsider": {
            "account": outsider,
            "user": personas["outsider"],
            "invitation": InvitationFactory(account=outsider, email="otto@contoso.test"),
            "apitoken": services.api_token_create(user=personas["outsider"], name="Contoso RMM").token,
        },
    }


def changelist(model):
    return reverse(f"admin:accounts_{model}_changelist")


def change_page(obj):
    return reverse(f"admin:accounts_{obj._meta.model_name}_change", args=[obj.pk])


def listed(client, model, query=""):
    response = client.get(changelist(model) + query)
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


def selected_action(client, model, action, objects):
    return client.post(changelist(model), {
        "action": action, "_selected_action": [str(obj.pk) for obj in objects], "index": "0",
    })


def shown_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# ---- who sees what -----------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_a_superuser_sees_every_accounts_rows(client, superuser, world, model):
    client.force_login(superuser)
    rows = listed(client, model)
    assert {world["northwind"][model], world["outsider"][model]} <= rows


@pytest.mark.parametrize("model", MODELS)
def test_account_staff_see_only_their_accounts_rows(client, northwind_staff, world, model):
    client.force_login(northwind_staff)
    rows = listed(client, model)
    assert world["northwind"][model] in rows
    assert world["outsider"][model] not in rows
    owner = {"account": lambda o: o, "user": lambda o: o.account, "invitation": lambda o: o.account,
             "apitoken": lambda o: o.user.account}[model]
    assert {owner(row) for row in rows} == {world["northwind"]["account"]}


@pytest.mark.parametrize("model", MODELS)
def test_another_accounts_object_is_not_found_by_account_staff(client, northwind_staff, world, model):
    client.force_login(northwind_staff)
    foreign = world["outsider"][model]
    for url in (change_page(foreign), change_page(foreign) + "history/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_another_accounts_user_password_page_is_404_for_account_staff(client, northwind_staff, world):
    client.force_login(northwind_staff)
    foreign = world["outsider"]["user"]
    response = client.get(reverse("admin:auth_user_password_change", args=[foreign.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("model", MODELS)
def test_staff_without_an_account_see_nothing_tenant_owned(client, accountless_staff, world, model):
    client.force_login(accountless_staff)
    assert client.get(changelist(model)).status_code == 403
    assert client.get(change_page(world["northwind"][model])).status_code == 403
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200 and changelist(model) not in index.content.decode()


def test_the_filter_by_account_never_names_another_account_for_account_staff(client, northwind_staff, world):
    client.force_login(northwind_staff)
    for model in ("user", "invitation", "apitoken"):
        assert "Contoso" not in client.get(changelist(model)).content.decode()


def test_related_filters_offer_only_what_the_staff_members_rows_refer_to(rf, superuser, northwind_staff):
    token_admin = admin.site.get_model_admin(ApiToken)
    request = rf.get("/")
    request.user = northwind_staff
    # A filter by account has one choice for them, so it is dropped; other relations only
    # list related rows their own queryset refers to.
    assert all(spec != "user__account" and not (isinstance(spec, tuple) and spec[0] == "user__account")
               for spec in token_admin.get_list_filter(request))
    assert token_admin._related_only("user") == ("user", RelatedOnlyFieldListFilter)
    request.user = superuser
    assert "user__account" in token_admin.get_list_filter(request)


# ---- choices and forms -------------------------------------------------------------------


def test_account_choices_offer_only_the_staff_members_account(client, northwind_staff, world, northwind):
    client.force_login(northwind_staff)
    form = client.get(reverse("admin:accounts_invitation_add")).context["adminform"].form
    assert list(form.fields["account"].queryset) == [northwind]
    assert form.fields["account"].required
    # keys: for themselves only (tests/accounts/test_admin_credentials.py)
    form = client.get(reverse("admin:accounts_apitoken_add")).context["adminform"].form
    assert list(form.fields["user"].queryset) == [northwind_staff]


def test_a_superuser_may_choose_any_account(client, superuser, world):
    client.force_login(superuser)
    form = client.get(reverse("admin:accounts_user_add")).context["adminform"].form
    assert set(form.fields["account"].queryset) == set(Account.objects.all())


def test_account_staff_cannot_place_a_new_invitation_in_another_account(client, northwind_staff, outsider):
    client.force_login(northwind_staff)
    response = client.post(reverse("admin:accounts_invitation_add"), {
        "email": "mole@contoso.test", "account": str(outsider.pk), "role": Role.ADMIN,
    })
    assert response.status_code == 200
    assert "account" in response.context["adminform"].form.errors
    assert not Invitation.unscoped.filter(email="mole@contoso.test").exists()


def test_account_staff_cannot_add_accounts(client, northwind_staff):
    client.force_login(northwind_staff)
    assert client.get(reverse("admin:accounts_account_add")).status_code == 403


PAGES = {
    "account": ("?q=north&time_zone=UTC", "?q=north"),
    "user": ("?q=northwind&role__exact=engineer&is_active__exact=1", "?q=jamie&role__exact=engineer"),
    "invitation": ("?q=nick&status=pending&role__exact=engineer", "?q=nick&status=pending"),
    "apitoken": ("?q=PSA&status=active", "?q=PSA&status=active"),
}


@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_renders_with_a_search_and_a_filter(client, superuser, northwind_staff, world, model):
    for user, query in zip((superuser, northwind_staff), PAGES[model], strict=True):
        client.force_login(user)
        rows = listed(client, model, query)
        assert world["northwind"][model] in rows, (user, query)


@pytest.mark.parametrize("model", MODELS)
def test_every_add_page_and_change_page_renders(client, superuser, northwind_staff, world, model):
    for user in (superuser, northwind_staff):
        client.force_login(user)
        # account staff add neither accounts nor logins with passwords (they invite people)
        expected_add = 403 if (model in ("account", "user") and user == northwind_staff) else 200
        assert client.get(reverse(f"admin:accounts_{model}_add")).status_code == expected_add
        assert client.get(change_page(world["northwind"][model])).status_code == 200


def test_the_superuser_filters_by_account(client, superuser, world, northwind):
    client.force_login(superuser)
    for model in ("user", "invitation"):
        assert listed(client, model, f"?account__id__exact={northwind.pk}") == set(
            User.objects.filter(account=northwind) if model == "user"
             else Invitation.objects.for_account(northwind)
        )
    assert listed(client, "apitoken", f"?user__account__id__exact={northwind.pk}") == {
        world["northwind"]["apitoken"]
    }


# ---- secrets stay secret ------------------------------------------------------------------


def test_no_hash_is_ever_shown(client, superuser, world):
    client.force_login(superuser)
    user, invitation, token = (world["northwind"][model] for model in ("user", "invitation", "apitoken"))
    pages = {model: client.get(change_page(world["northwind"][model])).content.decode()
             for model in ("user", "invitation", "apitoken")}
    assert user.password not in pages["user"] and user.password.split("$")[-1] not in pages["user"]
    assert "Set, stored hashed" in pages["user"]
    assert invitation.token_hash not in pages["invitation"]
    assert token.key_hash not in pages["apitoken"] and f"{token.prefix}…" in pages["apitoken"]
    for page in pages.values():
        assert not re.search(r'name="(password|token_hash|key_hash)"', page)


# ---- changes go through the services ------------------------------------------------------


def test_adding_a_user_creates_the_login_through_the_service(client, superuser, northwind):
    client.force_login(superuser)
    response = client.post(reverse("admin:accounts_user_add"), {
        "email": "Nina@Northwind.test", "display_name": "Nina New", "account": str(northwind.pk),
        "role": Role.VIEWER, "password1": STRONG, "password2": STRONG,
    })
    assert response.status_code == 302
    nina = User.objects.get(email="nina@northwind.test")
    assert (nina.account, nina.role, nina.display_name) == (northwind, Role.VIEWER, "Nina New")
    assert nina.check_password(STRONG)


def test_a_weak_password_is_refused_with_the_validators_words(client, superuser, northwind):
    client.force_login(superuser)
    response = client.post(reverse("admin:accounts_user_add"), {
        "email": "weak@northwind.test", "account": str(northwind.pk), "role": Role.ENGINEER,
        "password1": "12345", "password2": "12345",
    })
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["password2"])
    assert "too short" in errors and "entirely numeric" in errors
    assert not User.objects.filter(email="weak@northwind.test").exists()


def test_the_last_admin_cannot_be_demoted_in_the_change_form(client, superuser, admin_user):
    client.force_login(superuser)
    response = client.post(change_page(admin_user), {
        "display_name": admin_user.display_name, "role": Role.ENGINEER, "is_active": "on",
    })
    assert response.status_code == 200
    assert "last active admin" in str(response.context["adminform"].form.non_field_errors())
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN


def test_a_role_change_is_saved_through_the_service(client, northwind_staff, engineer):
    client.force_login(northwind_staff)
    response = client.post(change_page(engineer), {
        "display_name": "Jamie J.", "role": Role.VIEWER, "is_active": "on",
    })
    assert response.status_code == 302
    engineer.refresh_from_db()
    assert (engineer.role, engineer.display_name) == (Role.VIEWER, "Jamie J.")


def test_account_staff_cannot_grant_staff_rights(client, northwind_staff, engineer):
    client.force_login(northwind_staff)
    response = client.post(change_page(engineer), {
        "display_name": engineer.display_name, "role": engineer.role, "is_active": "on",
        "is_staff": "on", "is_superuser": "on",
    })
    assert response.status_code == 302
    engineer.refresh_from_db()
    assert not engineer.is_staff and not engineer.is_superuser


def test_a_superuser_grants_staff_rights(client, superuser, engineer):
    client.force_login(superuser)
    response = client.post(change_page(engineer), {
        "display_name": engineer.display_name, "role": engineer.role, "is_active": "on", "is_staff": "on",
    })
    assert response.status_code == 302
    engineer.refresh_from_db()
    assert engineer.is_staff and not engineer.is_superuser


def test_account_staff_cannot_change_a_superuser_of_their_account(client, northwind_staff, northwind):
    boss = UserFactory(account=northwind, email="boss@northwind.test", is_staff=True, is_superuser=True)
    client.force_login(northwind_staff)
    assert client.post(change_page(boss), {"display_name": "x", "role": Role.VIEWER}).status_code == 403
    assert client.get(reverse("admin:auth_user_password_change", args=[boss.pk])).status_code == 403


def test_deactivating_revokes_the_users_keys_and_spares_the_last_admin(client, superuser, world, admin_user):
    client.force_login(superuser)
    engineer = world["northwind"]["user"]
    response = selected_action(client, "user", "deactivate_users", [engineer, admin_user])
    engineer.refresh_from_db(), admin_user.refresh_from_db()
    assert not engineer.is_active and admin_user.is_active
    assert not ApiToken.objects.get(pk=world["northwind"]["apitoken"].pk).is_usable
    assert any("last active admin" in message for message in shown_messages(response))


def test_revoking_invitations_touches_only_the_staff_members_account(client, northwind_staff, world):
    client.force_login(northwind_staff)
    ours, theirs = world["northwind"]["invitation"], world["outsider"]["invitation"]
    selected_action(client, "invitation", "revoke_invitations", [ours, theirs])
    ours.refresh_from_db(), theirs.refresh_from_db()
    assert ours.status == "revoked" and theirs.status == "pending"


def test_an_invitation_is_revoked_from_its_own_read_only_page(client, northwind_staff, world):
    client.force_login(northwind_staff)
    invitation = world["northwind"]["invitation"]
    response = client.post(change_page(invitation), {
        "CHANGE_FORM-action": "revoke_invitations", "_selected_action": [str(invitation.pk)],
    })
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "revoked"


def test_revoking_an_accepted_invitation_is_refused_with_a_message(client, superuser, world):
    client.force_login(superuser)
    invitation = world["northwind"]["invitation"]
    issued = services.invitation_resend(invitation=invitation, actor=None, send_email=False)
    services.invitation_accept(token=issued.token, display_name="Nick", password=STRONG)
    response = selected_action(client, "invitation", "revoke_invitations", [invitation])
    assert any("accepted and cannot be revoked" in message for message in shown_messages(response))


def test_a_fresh_link_replaces_the_old_one(client, superuser, world):
    client.force_login(superuser)
    invitation = world["northwind"]["invitation"]
    old_hash = invitation.token_hash
    response = selected_action(client, "invitation", "reissue_invitations", [invitation])
    invitation.refresh_from_db()
    assert invitation.token_hash != old_hash
    link = next(message for message in shown_messages(response) if "Fresh link" in message)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert services.invitation_for_token(token) == invitation


def test_adding_an_invitation_shows_a_link_that_accepts(client, superuser, northwind):
    client.force_login(superuser)
    response = client.post(reverse("admin:accounts_invitation_add"), {
        "account": str(northwind.pk), "email": "Ines@Northwind.test", "role": Role.ENGINEER,
    })
    assert response.status_code == 302
    link = next(message for message in shown_messages(response) if "invitation link" in message)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    user = services.invitation_accept(token=token, display_name="Ines", password=STRONG)
    assert (user.email, user.account, user.role) == ("ines@northwind.test", northwind, Role.ENGINEER)


def test_inviting_someone_who_has_a_login_is_refused_on_the_form(client, superuser, world, northwind):
    client.force_login(superuser)
    response = client.post(reverse("admin:accounts_invitation_add"), {
        "account": str(northwind.pk), "email": world["outsider"]["user"].email, "role": Role.ENGINEER,
    })
    assert response.status_code == 200
    assert "already has a ResolutionFlow login" in str(response.context["adminform"].form.non_field_errors())


def test_adding_an_api_key_shows_it_once_and_it_authenticates(client, superuser, engineer):
    client.force_login(superuser)
    response = client.post(reverse("admin:accounts_apitoken_add"), {
        "user": str(engineer.pk), "name": "Dispatch board", "ttl_days": "7",
    })
    assert response.status_code == 302
    message = next(message for message in shown_messages(response) if "API key" in message)
    token = services.api_token_authenticate(message.rsplit(" ", 1)[-1])
    assert token is not None and (token.user, token.name) == (engineer, "Dispatch board")


def test_revoking_keys_touches_only_the_staff_members_account(client, northwind_staff, world):
    client.force_login(northwind_staff)
    ours = services.api_token_create(user=northwind_staff, name="mine").token
    theirs = world["outsider"]["apitoken"]
    selected_action(client, "apitoken", "revoke_tokens", [ours, theirs])
    ours.refresh_from_db(), theirs.refresh_from_db()
    assert ours.revoked_at is not None and theirs.revoked_at is None


def test_adding_an_account_goes_through_the_service(client, superuser):
    client.force_login(superuser)
    response = client.post(reverse("admin:accounts_account_add"), {
        "name": "Fabrikam Support", "slug": "", "time_zone": "Europe/Berlin",
    })
    assert response.status_code == 302
    assert Account.objects.get(slug="fabrikam-support").time_zone == "Europe/Berlin"


def test_account_staff_change_their_accounts_settings(client, northwind_staff, northwind):
    client.force_login(northwind_staff)
    response = client.post(change_page(northwind), {
        "name": "Northwind IT Services", "time_zone": "Europe/Dublin", "unclaimed_alert_minutes": "20",
    })
    assert response.status_code == 302
    northwind.refresh_from_db()
    assert (northwind.name, northwind.time_zone, northwind.unclaimed_alert_minutes) == (
        "Northwind IT Services", "Europe/Dublin", 20)
