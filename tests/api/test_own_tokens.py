"""``GET /api/v1/auth/tokens/`` lists the caller's own working tokens (never a key) and
``DELETE /api/v1/auth/tokens/{id}/`` revokes one of them; anyone else's token is a 404."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiToken
from tests.factories import UserFactory


def with_token(token_key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_key}")
    return client


@pytest.mark.parametrize("who", ["viewer", "engineer", "admin_user", "staff"])
def test_everyone_lists_their_own_working_tokens_and_never_a_key(request, db, senior, who):
    user = UserFactory(account=None, is_staff=True, role="admin") if who == "staff" else request.getfixturevalue(who)
    in_use = services.api_token_create(user=user, name="dispatch board")
    other = services.api_token_create(user=user, name="laptop")
    services.api_token_revoke(token=services.api_token_create(user=user, name="revoked").token)
    expired = services.api_token_create(user=user, name="expired").token
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    services.api_token_create(user=senior, name="someone else's")

    response = with_token(in_use.key).get(reverse("auth-token-list"))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["name"], row["current"]) for row in rows] == [("laptop", False), ("dispatch board", True)]
    assert [row["id"] for row in rows] == [str(other.token.pk), str(in_use.token.pk)]
    assert set(rows[0]) == {"id", "name", "prefix", "created_at", "last_used_at", "expires_at", "current"}
    assert rows[1]["last_used_at"] is not None and rows[0]["last_used_at"] is None
    assert in_use.key not in response.content.decode() and other.key not in response.content.decode()
    assert rows[1]["prefix"] == in_use.key[:8]


def test_with_a_login_cookie_no_token_is_current(client, engineer):
    services.api_token_create(user=engineer, name="dispatch board")
    client.force_login(engineer)
    rows = client.get(reverse("auth-token-list")).json()["results"]
    assert [(row["name"], row["current"]) for row in rows] == [("dispatch board", False)]


def test_revoking_one_of_my_tokens_stops_it_and_leaves_the_others(engineer):
    in_use = services.api_token_create(user=engineer, name="dispatch board")
    laptop = services.api_token_create(user=engineer, name="laptop")
    client = with_token(in_use.key)
    response = client.delete(reverse("auth-token-detail", args=[laptop.token.pk]))
    assert response.status_code == 204
    assert with_token(laptop.key).get(reverse("me")).status_code == 401
    assert [row["name"] for row in client.get(reverse("auth-token-list")).json()["results"]] == ["dispatch board"]
    # Gone from the list, so a second DELETE is a 404.
    assert client.delete(reverse("auth-token-detail", args=[laptop.token.pk])).status_code == 404
    # The token in use may revoke itself; the request after it is not authenticated.
    assert client.delete(reverse("auth-token-detail", args=[in_use.token.pk])).status_code == 204
    assert client.get(reverse("auth-token-list")).status_code == 401


@pytest.mark.parametrize("whose", ["colleague", "outsider_admin"])
def test_another_persons_token_is_not_found_and_keeps_working(request, engineer, senior, whose):
    owner = senior if whose == "colleague" else request.getfixturevalue(whose)
    theirs = services.api_token_create(user=owner, name="theirs")
    mine = services.api_token_create(user=engineer)
    response = with_token(mine.key).delete(reverse("auth-token-detail", args=[theirs.token.pk]))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert ApiToken.objects.get(pk=theirs.token.pk).revoked_at is None
    assert with_token(theirs.key).get(reverse("auth-token-list")).status_code == 200


def test_an_id_that_is_not_a_uuid_is_a_404(engineer):
    mine = services.api_token_create(user=engineer)
    response = with_token(mine.key).delete("/api/v1/auth/tokens/not-an-id/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_anonymous_callers_are_told_to_authenticate(db):
    for method, url in (("get", reverse("auth-token-list")),
                        ("delete", reverse("auth-token-detail", args=["7d1f6a3e-5b2c-4f0e-9a1d-2c3b4a5d6e7f"]))):
        response = getattr(APIClient(), method)(url)
        assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
