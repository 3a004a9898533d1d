"""Account Management is for the account's admins: everyone else gets a 403, anonymous
visitors are sent to log in, and nothing changes either way."""

import pytest

from accounts.models import Account, Invitation, Role, User
from tests.factories import InvitationFactory


@pytest.fixture
def pending(northwind, admin_user):
    return InvitationFactory(account=northwind, email="new@northwind.test", invited_by=admin_user)


def post_endpoints(engineer, pending):
    return [
        (f"/account/users/{engineer.pk}/role/", {"role": "admin"}),
        (f"/account/users/{engineer.pk}/active/", {"is_active": "false"}),
        ("/account/invitations/", {"email": "someone@northwind.test", "role": "admin"}),
        (f"/account/invitations/{pending.pk}/resend/", {}),
        (f"/account/invitations/{pending.pk}/revoke/", {}),
        ("/account/settings/", {"name": "Taken over", "time_zone": "UTC", "unclaimed_alert_minutes": 5}),
    ]


def snapshot(account):
    return (
        list(User.objects.filter(account=account).values_list("email", "role", "is_active").order_by("email")),
        list(Invitation.objects.for_account(account).values_list("email", "token_hash", "revoked_at")
             .order_by("email")),
        Account.objects.filter(pk=account.pk).values_list("name", "time_zone", "unclaimed_alert_minutes").get(),
    )


@pytest.mark.parametrize("persona", ["viewer", "engineer", "senior"])
def test_non_admins_get_a_friendly_403_on_account_management(client, personas, persona):
    client.force_login(personas[persona])

    response = client.get("/account/")

    assert response.status_code == 403
    assert 'data-testid="forbidden"' in response.text
    assert "for the admins of an account" in response.text


def test_platform_staff_without_an_account_get_a_403(client, db):
    staff = User.objects.create_user(email="staff@platform.test", password="x", is_staff=True)
    client.force_login(staff)

    assert client.get("/account/").status_code == 403


@pytest.mark.parametrize("persona", ["viewer", "engineer", "senior"])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_non_admins_get_403_on_every_change_and_nothing_changes(
    client, personas, persona, northwind, pending, htmx, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(personas[persona])
    before = snapshot(northwind)
    headers = {"HX-Request": "true"} if htmx else {}

    with django_capture_on_commit_callbacks(execute=True):
        for url, data in post_endpoints(personas["engineer"], pending):
            response = client.post(url, data, headers=headers)
            assert response.status_code == 403, url

    assert snapshot(northwind) == before
    assert mailoutbox == []


def test_an_anonymous_post_is_sent_to_log_in_and_changes_nothing(client, northwind, engineer, pending):
    before = snapshot(northwind)

    for url, data in post_endpoints(engineer, pending):
        response = client.post(url, data, headers={"Referer": "http://testserver/account/"})
        assert response.status_code == 302, url
        assert response.url == "/login/?next=/account/"

    assert snapshot(northwind) == before


def test_an_anonymous_htmx_request_redirects_the_whole_page_to_login(client, engineer):
    response = client.post(f"/account/users/{engineer.pk}/role/", {"role": "admin"},
                           headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/account/"})

    assert response.headers["HX-Redirect"] == "/login/?next=/account/"
    assert User.objects.get(pk=engineer.pk).role == Role.ENGINEER


def test_changes_are_refused_on_get(client, admin_user, engineer):
    client.force_login(admin_user)

    assert client.get(f"/account/users/{engineer.pk}/active/", {"is_active": "false"}).status_code == 405
    assert User.objects.get(pk=engineer.pk).is_active


def test_an_outsider_admin_sees_only_their_own_account(client, outsider_admin, engineer):
    client.force_login(outsider_admin)

    page = client.get("/account/").text

    assert "Contoso Managed Services" in page
    assert "olga@contoso.test" in page
    assert "jamie@northwind.test" not in page
