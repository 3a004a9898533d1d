"""Login, logout, the home page and the layout every page shares."""

import re

import pytest
from django.contrib.auth import get_user
from django.contrib.staticfiles import finders
from django.test import Client

from tests.factories import PASSWORD, UserFactory


def signed_in_user(client):
    return get_user(client)


def test_a_member_logs_in_with_email_and_password_and_lands_on_home(client, engineer):
    response = client.post("/login/", {"username": "jamie@northwind.test", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == "/"
    assert signed_in_user(client) == engineer


def test_the_login_email_is_not_case_sensitive(client, engineer):
    client.post("/login/", {"username": "Jamie@Northwind.TEST", "password": PASSWORD})

    assert signed_in_user(client) == engineer


def test_a_wrong_password_is_refused_with_a_message(client, engineer):
    response = client.post("/login/", {"username": "jamie@northwind.test", "password": "not-the-password"})

    assert response.status_code == 400
    assert 'data-testid="login-error"' in response.text
    assert not signed_in_user(client).is_authenticated


def test_a_deactivated_user_cannot_log_in(client, northwind):
    UserFactory(account=northwind, email="gone@northwind.test", is_active=False)

    response = client.post("/login/", {"username": "gone@northwind.test", "password": PASSWORD})

    assert response.status_code == 400
    assert not signed_in_user(client).is_authenticated


def test_the_login_page_has_the_testids_the_browser_tests_use(client, db):
    page = client.get("/login/").text

    for testid in ("login-email", "login-password", "login-submit"):
        assert f'data-testid="{testid}"' in page


def test_logout_is_a_post(client, engineer):
    client.force_login(engineer)

    assert client.get("/logout/").status_code == 405
    assert signed_in_user(client) == engineer

    response = client.post("/logout/")
    assert response.status_code == 302
    assert response.url == "/login/"
    assert not signed_in_user(client).is_authenticated


@pytest.mark.parametrize("path", ["/", "/account/"])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url == f"/login/?next={path}"


def test_home_greets_the_user_with_their_role_and_account(client, engineer):
    client.force_login(engineer)

    page = client.get("/").text

    assert "Hello, Jamie Junior" in page
    assert "Northwind IT" in page
    assert "engineer" in page
    assert 'data-testid="home-account-link"' not in page


def test_home_links_admins_to_account_management(client, admin_user):
    client.force_login(admin_user)

    page = client.get("/").text

    assert 'data-testid="home-account-link"' in page
    assert 'href="/account/"' in page


@pytest.mark.parametrize("persona", ["viewer", "engineer", "senior"])
def test_only_admins_see_the_account_link_in_the_navigation(client, personas, persona):
    client.force_login(personas[persona])
    assert 'data-testid="nav-account"' not in client.get("/").text

    client.force_login(personas["admin"])
    assert 'data-testid="nav-account"' in client.get("/").text


def test_every_page_shows_who_is_signed_in_and_a_logout_form(client, viewer):
    client.force_login(viewer)

    page = client.get("/").text

    assert 'data-testid="current-user-name">Vera Viewer<' in page
    assert 'data-testid="current-user-role">Viewer<' in page
    assert re.search(r'<form[^>]*method="post"[^>]*action="/logout/"', page)
    assert 'data-testid="logout"' in page


def test_htmx_is_served_from_our_own_static_files_with_the_csrf_header_on_body(db, engineer):
    client = Client()
    client.force_login(engineer)

    page = client.get("/").text

    assert '<script src="/static/js/htmx.min.js"' in page
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', page), "no CDN assets"
    assert re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"\w+\"\}'[^>]*>", page)
    assert finders.find("js/htmx.min.js")
    assert finders.find("css/app.css")


def test_messages_are_shown_in_a_region_of_the_page(client, admin_user, engineer):
    client.force_login(admin_user)

    response = client.post(f"/account/users/{engineer.pk}/role/", {"role": "viewer"}, follow=True)

    assert 'data-testid="messages"' in response.text
    assert "Jamie Junior is now a viewer." in response.text
