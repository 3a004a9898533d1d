"""Password guessing (issue 8, kind 9): page, admin and API logins are locked out by login
name and by client address after AXES_FAILURE_LIMIT failures, the person is told when to try
again, and a forged X-Forwarded-For never moves the count to a fresh address."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture
def ada(admin_user):
    admin_user.set_password(PASSWORD)
    admin_user.save()
    return admin_user


def page_login(client, email, password, **extra):
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def api_login(client, email, password, **extra):
    return client.post(reverse("auth-token"), {"email": email, "password": password},
                       content_type="application/json", **extra)


def signed_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_thirty_wrong_passwords_then_the_right_one_is_refused_on_the_login_page(client, ada):
    for _ in range(30):
        page_login(client, ada.email, "wrong")
    response = page_login(client, ada.email, PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert "Try again in 15 minutes" in response.content.decode()
    assert 'data-testid="login-locked"' in response.content.decode()
    assert not signed_in(client)


def test_thirty_wrong_passwords_then_the_right_one_is_refused_by_the_api(client, ada):
    for _ in range(30):
        api_login(client, ada.email, "wrong")
    response = api_login(client, ada.email, PASSWORD)
    assert response.status_code == 429
    body = response.json()
    assert (body["code"], body["retry_after"]) == ("locked_out", 900)
    assert "Try again in 15 minutes" in body["detail"]
    assert response["Retry-After"] == "900"
    assert ada.api_tokens.count() == 0


def test_a_few_wrong_passwords_then_the_right_one_signs_in_and_starts_the_count_again(client, ada):
    for _ in range(LIMIT - 1):
        assert page_login(client, ada.email, "wrong").status_code == 400
    assert page_login(client, ada.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(LIMIT - 1):
        page_login(client, ada.email, "wrong")
    assert page_login(client, ada.email, PASSWORD).status_code == 302


def test_the_lockout_holds_for_the_login_from_any_address(ada):
    for i in range(LIMIT):
        page_login(Client(REMOTE_ADDR=f"198.51.100.{i}"), ada.email.upper(), "wrong")
    fresh = Client(REMOTE_ADDR="203.0.113.77")
    assert page_login(fresh, ada.email, PASSWORD).status_code == 429
    assert api_login(fresh, ada.email, PASSWORD).status_code == 429


def test_the_lockout_holds_for_the_address_whatever_login_it_tries(ada, northwind):
    attacker = Client(REMOTE_ADDR="198.51.100.9")
    for i in range(LIMIT):
        page_login(attacker, f"guess{i}@northwind.test", "wrong")
    assert page_login(attacker, ada.email, PASSWORD).status_code == 429
    # the same person from elsewhere is not caught by the attacker's address
    assert page_login(Client(REMOTE_ADDR="203.0.113.5"), ada.email, PASSWORD).status_code == 302


def test_a_forged_forwarded_for_header_does_not_reset_the_count_without_proxies(ada, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    attacker = Client(REMOTE_ADDR="198.51.100.9")
    for i in range(LIMIT):
        page_login(attacker, f"guess{i}@northwind.test", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    response = page_login(attacker, "other@northwind.test", "wrong", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 429


def test_behind_one_trusted_proxy_only_the_address_it_saw_counts(ada, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.1")  # every request arrives from the proxy
    for i in range(LIMIT):
        # the client forges the left part; the proxy appends the address it really saw
        page_login(proxy, f"guess{i}@northwind.test", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 198.51.100.9")
    locked = page_login(proxy, ada.email, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200, 198.51.100.9")
    assert locked.status_code == 429
    # another client behind the same proxy is not locked out with the attacker
    other = page_login(proxy, ada.email, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert other.status_code == 302


def test_the_admin_login_is_counted_too(client, ada):
    for _ in range(LIMIT):
        client.post("/admin/login/", {"username": ada.email, "password": "wrong"})
    response = client.post("/admin/login/", {"username": ada.email, "password": PASSWORD})
    assert response.status_code == 429


def test_another_persons_lockout_leaves_a_colleague_alone(client, ada, northwind):
    colleague = UserFactory(account=northwind, email="cole@northwind.test")
    colleague.set_password(PASSWORD)
    colleague.save()
    for i in range(LIMIT):
        page_login(Client(REMOTE_ADDR=f"198.51.100.{i}"), ada.email, "wrong")
    assert page_login(Client(REMOTE_ADDR="203.0.113.8"), colleague.email, PASSWORD).status_code == 302


def test_the_test_clients_login_is_not_a_web_login(client, ada):
    """client.login has no request; it signs in and is never counted."""
    for _ in range(LIMIT + 1):
        assert client.login(username=ada.email, password="wrong") is False
    assert client.login(username=ada.email, password=PASSWORD) is True
