"""Admins manage people; an account never loses its last active admin."""

from django.urls import reverse

from accounts.models import User


def patch_user(api, actor, user, body):
    return api.as_user(actor).patch(reverse("user-detail", args=[user.pk]), body, format="json")


def test_everyone_in_the_account_can_list_its_people_with_filters(api, viewer, engineer, admin_user):
    response = api.as_user(viewer).get(reverse("user-list"), {"role": "admin"})
    assert response.status_code == 200
    assert [row["email"] for row in response.json()["results"]] == [admin_user.email]


def test_an_admin_promotes_an_engineer(api, admin_user, engineer):
    response = patch_user(api, admin_user, engineer, {"role": "admin"})
    assert response.status_code == 200
    assert response.json()["role"] == "admin"
    assert User.objects.get(pk=engineer.pk).role == "admin"


def test_an_admin_deactivates_and_reactivates_an_engineer(api, admin_user, engineer):
    assert patch_user(api, admin_user, engineer, {"is_active": False}).json()["is_active"] is False
    assert patch_user(api, admin_user, engineer, {"is_active": True}).json()["is_active"] is True


def test_the_last_admin_cannot_demote_themselves(api, admin_user):
    response = patch_user(api, admin_user, admin_user, {"role": "engineer"})
    assert response.status_code == 409
    assert response.json()["code"] == "last_admin"
    assert User.objects.get(pk=admin_user.pk).role == "admin"


def test_the_last_admin_cannot_be_deactivated(api, admin_user):
    response = patch_user(api, admin_user, admin_user, {"is_active": False})
    assert response.status_code == 409
    assert User.objects.get(pk=admin_user.pk).is_active is True


def test_an_inactive_admin_does_not_count_as_a_remaining_admin(api, admin_user, engineer):
    engineer.role, engineer.is_active = "admin", False
    engineer.save()
    assert patch_user(api, admin_user, admin_user, {"role": "viewer"}).status_code == 409


def test_with_a_second_admin_the_first_may_step_down(api, admin_user, senior):
    patch_user(api, admin_user, senior, {"role": "admin"})
    assert patch_user(api, admin_user, admin_user, {"role": "engineer"}).status_code == 200
    # Ada is no longer an admin, so she can no longer manage people.
    admin_user.refresh_from_db()
    assert patch_user(api, admin_user, senior, {"role": "viewer"}).status_code == 403


def test_another_accounts_last_admin_is_not_counted(api, admin_user, outsider_admin):
    assert patch_user(api, admin_user, admin_user, {"role": "engineer"}).status_code == 409
