"""API keys: issued for a password, hashed at rest, expiring, revocable, throttled."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import digest
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def obtain(client, email, password=PASSWORD):
    return client.post(reverse("auth-token"), {"email": email, "password": password}, format="json")


def test_an_engineer_gets_a_key_and_calls_the_api_with_it(engineer):
    client = APIClient()
    response = obtain(client, engineer.email)
    assert response.status_code == 201
    key = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = client.get(reverse("me"))
    assert me.status_code == 200
    assert me.json()["email"] == engineer.email


def test_the_email_is_matched_without_regard_to_case(engineer):
    assert obtain(APIClient(), engineer.email.upper()).status_code == 201


def test_the_key_is_stored_only_as_a_digest(engineer):
    key = obtain(APIClient(), engineer.email).json()["token"]
    token = ApiToken.objects.get(user=engineer)
    assert token.key_hash == digest(key)
    assert key not in {token.key_hash, token.prefix, token.name}
    assert token.prefix == key[:8]


def test_a_wrong_password_gets_a_400_with_a_code_and_no_key(engineer):
    response = obtain(APIClient(), engineer.email, "wrong-password")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert not ApiToken.objects.filter(user=engineer).exists()


def test_a_deactivated_user_cannot_get_a_key(engineer):
    engineer.is_active = False
    engineer.save()
    assert obtain(APIClient(), engineer.email).status_code == 400


def test_a_revoked_key_stops_working(engineer):
    client = APIClient()
    key = obtain(client, engineer.email).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    revoke = client.post(reverse("auth-token-revoke"), {}, format="json")
    assert revoke.status_code == 200
    assert revoke.json()["revoked_at"] is not None
    response = client.get(reverse("me"))
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_user_revokes_another_of_their_keys_by_id(engineer):
    client = APIClient()
    first = obtain(client, engineer.email).json()
    second = obtain(client, engineer.email).json()
    client.credentials(HTTP_AUTHORIZATION=f"Token {second['token']}")
    assert client.post(reverse("auth-token-revoke"), {"id": first["id"]}, format="json").status_code == 200
    assert client.get(reverse("me")).status_code == 200
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {first['token']}")
    assert other.get(reverse("me")).status_code == 401


def test_nobody_can_revoke_someone_elses_key(engineer, senior):
    client = APIClient()
    victim = obtain(client, engineer.email).json()
    attacker = obtain(client, senior.email).json()
    client.credentials(HTTP_AUTHORIZATION=f"Token {attacker['token']}")
    response = client.post(reverse("auth-token-revoke"), {"id": victim["id"]}, format="json")
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=victim["id"]).revoked_at is None


def test_an_expired_key_is_refused(engineer):
    client = APIClient()
    body = obtain(client, engineer.email).json()
    ApiToken.objects.filter(pk=body["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get(reverse("me")).status_code == 401


def test_deactivating_a_user_revokes_their_keys(api, engineer, admin_user):
    client = APIClient()
    key = obtain(client, engineer.email).json()["token"]
    api.as_user(admin_user).patch(reverse("user-detail", args=[engineer.pk]), {"is_active": False}, format="json")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(reverse("me")).status_code == 401
    assert ApiToken.objects.get(user=engineer).revoked_at is not None


@pytest.mark.parametrize("header", ["Token", "Token a b", "Token not-a-real-key"])
def test_a_malformed_or_unknown_token_header_is_a_401(engineer, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(reverse("me"))
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_password_logins_are_throttled_per_client(engineer, settings):
    settings.AUTH_THROTTLE_RATE = "3/min"
    client = APIClient()
    statuses = [obtain(client, engineer.email, "guess").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    response = obtain(client, engineer.email)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert response.json()["retry_after"] > 0
