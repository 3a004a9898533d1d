"""The People section of Account Management: roles and deactivation, through user_update."""

import re

import pytest
from django.contrib.auth import get_user
from django.test import Client

from accounts.models import Role, User
from tests.factories import UserFactory

HTMX = {"HX-Request": "true"}


def reloaded(user):
    return User.objects.get(pk=user.pk)


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_people_table_lists_the_accounts_users_with_role_status_and_controls(as_admin, personas):
    page = as_admin.get("/account/").text

    assert 'data-testid="people-table"' in page
    for persona in ("viewer", "engineer", "senior", "admin"):
        user = personas[persona]
        assert user.email in page
        assert f'data-testid="user-role-{user.pk}"' in page
        assert f'data-testid="user-deactivate-{user.pk}"' in page
    assert personas["outsider"].email not in page


def test_an_admin_changes_a_role_with_htmx_and_gets_the_row_back(as_admin, engineer):
    response = as_admin.post(f"/account/users/{engineer.pk}/role/", {"role": "admin"}, headers=HTMX)

    assert response.status_code == 200
    assert reloaded(engineer).role == Role.ADMIN
    assert "<html" not in response.text
    assert response.text.lstrip().startswith(f'<tr id="user-{engineer.pk}"')
    assert '<option value="admin" selected>' in response.text
    assert 'hx-swap-oob="true"' in response.text  # the messages region
    assert "Jamie Junior is now an admin." in response.text


def test_without_javascript_a_role_change_redirects_back_with_a_message(as_admin, engineer):
    response = as_admin.post(f"/account/users/{engineer.pk}/role/", {"role": "viewer"})

    assert response.status_code == 302
    assert response.url == "/account/#people"
    assert reloaded(engineer).role == Role.VIEWER
    assert "Jamie Junior is now a viewer." in as_admin.get("/account/").text


def test_an_unknown_role_is_refused_inline_and_nothing_changes(as_admin, engineer):
    response = as_admin.post(f"/account/users/{engineer.pk}/role/", {"role": "owner"}, headers=HTMX)

    assert response.status_code == 400
    assert f'data-testid="user-error-{engineer.pk}"' in response.text
    assert reloaded(engineer).role == Role.ENGINEER


def test_an_admin_deactivates_and_reactivates_a_user(as_admin, engineer):
    response = as_admin.post(f"/account/users/{engineer.pk}/active/", {"is_active": "false"}, headers=HTMX)

    assert response.status_code == 200
    assert not reloaded(engineer).is_active
    assert f'data-testid="user-reactivate-{engineer.pk}"' in response.text
    assert "Deactivated" in response.text

    response = as_admin.post(f"/account/users/{engineer.pk}/active/", {"is_active": "true"}, headers=HTMX)

    assert response.status_code == 200
    assert reloaded(engineer).is_active
    assert f'data-testid="user-deactivate-{engineer.pk}"' in response.text


def test_a_deactivated_user_is_signed_out_of_their_open_sessions(as_admin, engineer):
    jamie = Client()
    jamie.force_login(engineer)

    as_admin.post(f"/account/users/{engineer.pk}/active/", {"is_active": "false"})

    assert jamie.get("/").status_code == 302


def test_a_missing_active_flag_is_refused_rather_than_read_as_deactivate(as_admin, engineer):
    response = as_admin.post(f"/account/users/{engineer.pk}/active/", {}, headers=HTMX)

    assert response.status_code == 400
    assert reloaded(engineer).is_active


@pytest.mark.parametrize("change", [("role", {"role": "engineer"}), ("active", {"is_active": "false"})],
                         ids=["demote", "deactivate"])
def test_the_last_admin_cannot_be_demoted_or_deactivated(as_admin, admin_user, change):
    endpoint, data = change

    response = as_admin.post(f"/account/users/{admin_user.pk}/{endpoint}/", data, headers=HTMX)

    assert response.status_code == 409
    assert f'data-testid="user-error-{admin_user.pk}"' in response.text
    assert "last active admin" in response.text
    assert '<option value="admin" selected>' in response.text  # the row shows what is stored
    admin = reloaded(admin_user)
    assert (admin.role, admin.is_active) == (Role.ADMIN, True)


def test_without_javascript_the_last_admin_refusal_is_shown_on_the_whole_page(as_admin, admin_user):
    response = as_admin.post(f"/account/users/{admin_user.pk}/role/", {"role": "viewer"})

    assert response.status_code == 409
    assert "<html" in response.text
    assert f'data-testid="user-error-{admin_user.pk}"' in response.text
    assert reloaded(admin_user).role == Role.ADMIN


def test_an_admin_who_demotes_themselves_is_taken_home(as_admin, northwind, admin_user):
    UserFactory(account=northwind, role=Role.ADMIN, email="second@northwind.test")

    response = as_admin.post(f"/account/users/{admin_user.pk}/role/", {"role": "engineer"}, headers=HTMX)

    assert response.headers["HX-Redirect"] == "/"
    assert reloaded(admin_user).role == Role.ENGINEER
    assert as_admin.get("/account/").status_code == 403


def test_an_admin_who_deactivates_themselves_is_logged_out(as_admin, northwind, admin_user):
    UserFactory(account=northwind, role=Role.ADMIN, email="second@northwind.test")

    response = as_admin.post(f"/account/users/{admin_user.pk}/active/", {"is_active": "false"})

    assert response.status_code == 302
    assert not reloaded(admin_user).is_active
    assert not get_user(as_admin).is_authenticated


@pytest.mark.parametrize("endpoint,data", [("role", {"role": "viewer"}), ("active", {"is_active": "false"})])
def test_a_user_of_another_account_is_not_found_and_unchanged(as_admin, outsider_admin, endpoint, data):
    response = as_admin.post(f"/account/users/{outsider_admin.pk}/{endpoint}/", data, headers=HTMX)

    assert response.status_code == 404
    olga = reloaded(outsider_admin)
    assert (olga.role, olga.is_active) == (Role.ADMIN, True)


def test_an_unknown_user_id_is_not_found(as_admin):
    response = as_admin.post("/account/users/00000000-0000-0000-0000-000000000000/role/", {"role": "viewer"})

    assert response.status_code == 404
    assert 'data-testid="not-found"' in response.text


def test_htmx_posts_pass_csrf_with_the_token_from_the_body_headers(db, admin_user, engineer):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    page = browser.get("/account/").text
    token = re.search(r"hx-headers='\{\"X-CSRFToken\": \"(\w+)\"\}'", page).group(1)

    refused = browser.post(f"/account/users/{engineer.pk}/role/", {"role": "viewer"}, headers=HTMX)
    accepted = browser.post(f"/account/users/{engineer.pk}/role/", {"role": "viewer"},
                            headers={**HTMX, "X-CSRFToken": token})

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert reloaded(engineer).role == Role.VIEWER
