"""Bad input gets a 4xx with a machine code and a human detail, and changes nothing."""

import pytest
from django.urls import reverse

from accounts.models import Account, Invitation, User


def test_malformed_json_is_a_400_parse_error(api, admin_user):
    response = api.as_user(admin_user).generic(
        "POST", reverse("invitation-list"), "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert response.json()["detail"]
    assert not Invitation.objects.for_account(admin_user.account).exists()


def test_an_unknown_role_names_the_field_and_the_choice(api, admin_user, engineer):
    response = api.as_user(admin_user).patch(
        reverse("user-detail", args=[engineer.pk]), {"role": "overlord"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"]["role"][0]["code"] == "invalid_choice"
    assert body["detail"].startswith("role:")
    assert User.objects.get(pk=engineer.pk).role == "engineer"


def test_an_empty_user_update_is_refused(api, admin_user, engineer):
    response = api.as_user(admin_user).patch(reverse("user-detail", args=[engineer.pk]), {}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"][0]["code"] == "empty"


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"email": "x" * 250 + "@example.com", "role": "engineer"}, "email", "max_length"),
        ({"email": "not-an-email", "role": "engineer"}, "email", "invalid"),
        ({"role": "engineer"}, "email", "required"),
        ({"email": "a@example.com", "role": "boss"}, "role", "invalid_choice"),
    ],
)
def test_bad_invitations_are_refused_field_by_field(api, admin_user, body, field, code):
    response = api.as_user(admin_user).post(reverse("invitation-list"), body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][field][0]["code"] == code
    assert not Invitation.objects.for_account(admin_user.account).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "N" * 121}, "name"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"unclaimed_alert_minutes": 0}, "unclaimed_alert_minutes"),
        ({"unclaimed_alert_minutes": "soon"}, "unclaimed_alert_minutes"),
    ],
)
def test_bad_account_settings_are_refused_and_nothing_changes(api, admin_user, northwind, body, field):
    before = Account.objects.filter(pk=northwind.pk).values().get()
    response = api.as_user(admin_user).patch(reverse("account"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Account.objects.filter(pk=northwind.pk).values().get() == before


def test_valid_account_settings_are_saved(api, admin_user, northwind):
    response = api.as_user(admin_user).patch(
        reverse("account"), {"time_zone": "Europe/London", "unclaimed_alert_minutes": 10}, format="json"
    )
    assert response.status_code == 200
    northwind.refresh_from_db()
    assert (northwind.time_zone, northwind.unclaimed_alert_minutes) == ("Europe/London", 10)


@pytest.mark.parametrize("path", [
    "/api/v1/users/00000000-0000-0000-0000-000000000000/",
    "/api/v1/sessions/00000000-0000-0000-0000-000000000000/",
    "/api/v1/handoffs/00000000-0000-0000-0000-000000000000/",
    "/api/v1/auth/tokens/00000000-0000-0000-0000-000000000000/",
])
def test_an_unknown_id_is_a_json_404_that_names_no_model(api, admin_user, path):
    method = "delete" if "/auth/tokens/" in path else "get"
    response = getattr(api.as_user(admin_user), method)(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_wrong_method_is_a_405_with_a_code(api, engineer):
    response = api.as_user(engineer).delete(reverse("me"))
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_an_oversized_body_is_a_413_with_a_code(api, admin_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = api.as_user(admin_user).post(
        reverse("invitation-list"), {"email": "a@example.com", "role": "engineer", "pad": "x" * 4096},
        format="json",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert not Invitation.objects.for_account(admin_user.account).exists()
