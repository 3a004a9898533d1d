"""The Settings section of Account Management, through account_update."""

import pytest

from accounts.models import Account

HTMX = {"HX-Request": "true"}
VALID = {"name": "Northwind Managed IT", "time_zone": "Europe/Berlin", "unclaimed_alert_minutes": "30"}


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


def stored(account):
    return Account.objects.filter(pk=account.pk).values_list("name", "time_zone", "unclaimed_alert_minutes").get()


def test_the_settings_form_shows_the_current_values_and_every_time_zone(as_admin, northwind):
    page = as_admin.get("/account/").text

    assert 'data-testid="settings-name"' in page
    assert 'value="Northwind IT"' in page
    assert '<option value="Europe/Berlin">Europe/Berlin</option>' in page
    assert '<option value="UTC" selected>UTC</option>' in page
    assert 'value="15"' in page
    assert page.index("Africa/Abidjan") < page.index("America/Chicago") < page.index("Europe/Berlin")


def test_an_admin_saves_the_settings(as_admin, northwind):
    response = as_admin.post("/account/settings/", VALID)

    assert response.status_code == 302
    assert response.url == "/account/#settings"
    assert stored(northwind) == ("Northwind Managed IT", "Europe/Berlin", 30)
    assert "Account settings saved." in as_admin.get("/account/").text


def test_with_htmx_the_settings_section_and_the_header_name_are_swapped(as_admin, northwind):
    response = as_admin.post("/account/settings/", VALID, headers=HTMX)

    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="settings"')
    assert '<span id="account-name" data-testid="current-account" hx-swap-oob="true">Northwind Managed IT</span>' \
        in response.text
    assert stored(northwind) == ("Northwind Managed IT", "Europe/Berlin", 30)


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"unclaimed_alert_minutes": "0"}, "greater than or equal to 1"),
        ({"unclaimed_alert_minutes": "1441"}, "less than or equal to 1440"),
        ({"unclaimed_alert_minutes": "soon"}, "Enter a whole number"),
        ({"time_zone": "Mars/Olympus_Mons"}, "not one of the available choices"),
        ({"name": "   "}, "This field is required"),
    ],
    ids=["alert-0", "alert-too-long", "alert-not-a-number", "unknown-time-zone", "blank-name"],
)
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_invalid_settings_are_refused_with_the_field_error_and_nothing_is_saved(
    as_admin, northwind, changes, message, htmx
):
    response = as_admin.post("/account/settings/", {**VALID, **changes}, headers=HTMX if htmx else {})

    assert response.status_code == 400
    assert message in response.text
    assert ("<html" in response.text) is not htmx
    assert stored(northwind) == ("Northwind IT", "UTC", 15)


def test_a_refused_change_does_not_show_the_rejected_name_in_the_header(as_admin, northwind):
    response = as_admin.post("/account/settings/", {**VALID, "unclaimed_alert_minutes": "0"})

    assert 'data-testid="current-account">Northwind IT<' in response.text
