"""The command palette's entries (/palette.json): what this user may start and open, scoped
to their account; and the palette's button and dialog on every page."""

import pytest
from django.urls import reverse

from accounts.models import User

from .factories import FlowFactory, SessionFactory


def entries(client):
    response = client.get("/palette.json")
    assert response.status_code == 200
    return {item["id"]: item for item in response.json()["items"]}


@pytest.fixture
def library(northwind, outsider):
    return {
        "global": FlowFactory(account=None, name="Printer offline", slug="printer-offline",
                              tags=["printing"], keywords=["spooler", "0x00000709"]),
        "own": FlowFactory(account=northwind, name="Northwind VPN", slug="northwind-vpn"),
        "foreign": FlowFactory(account=outsider, name="Contoso runbook", slug="contoso-runbook"),
    }


def test_an_engineer_gets_start_entries_one_flowpilot_entry_per_runbook_history_and_pages(client, engineer, library):
    client.force_login(engineer)

    items = entries(client)

    assert items["new-assistant"]["url"] == "/sessions/new/?mode=assistant"
    printer = items["flow:printer-offline"]
    assert printer["label"] == "FlowPilot: Printer offline"
    assert printer["url"] == f"/sessions/new/?mode=flow&flow={library['global'].pk}"
    assert "spooler" in printer["keywords"]
    assert items["flow:northwind-vpn"]["label"] == "FlowPilot: Northwind VPN"
    assert "flow:contoso-runbook" not in items
    assert items["history"]["url"] == "/sessions/"
    assert items["page:home"]["url"] == "/"
    assert items["page:api-docs"]["url"] == "/api/v1/docs/"
    assert "page:account" not in items


def test_recent_sessions_are_the_users_own_and_resume_where_they_were_left(client, northwind, engineer, senior,
                                                                         outsider, outsider_admin):
    mine = SessionFactory(account=northwind, owner=engineer, title="Outlook profile corrupt",
                          client_name="Fabrikam Dental")
    SessionFactory(account=northwind, owner=senior, title="Colleague's VPN")
    SessionFactory(account=outsider, owner=outsider_admin, title="Contoso mailbox")
    client.force_login(engineer)

    items = entries(client)

    recent = [item for item in items.values() if item["group"] == "Recent sessions"]
    assert [item["label"] for item in recent] == ["Outlook profile corrupt"]
    assert recent[0]["url"] == f"/sessions/{mine.pk}/#latest"
    assert "Fabrikam Dental" in recent[0]["hint"]


def test_a_viewer_gets_no_entries_that_start_sessions(client, viewer, library):
    client.force_login(viewer)

    items = entries(client)

    assert "new-assistant" not in items
    assert not [key for key in items if key.startswith("flow:")]
    assert "history" in items


def test_an_admin_also_gets_account_management(client, admin_user):
    client.force_login(admin_user)

    assert entries(client)["page:account"]["url"] == "/account/"


def test_platform_staff_get_the_pages_they_have(client, db):
    staff = User.objects.create_user(email="staff@platform.test", password="x", is_staff=True)
    client.force_login(staff)

    assert set(entries(client)) == {"page:home", "page:admin", "page:api-docs"}


def test_the_palette_entries_need_a_login(client, db):
    response = client.get("/palette.json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("url", ["/", "/sessions/", "/sessions/new/"])
def test_every_page_has_the_palette_button_and_dialog(client, engineer, url):
    client.force_login(engineer)

    page = client.get(url).text

    assert 'data-testid="palette-open"' in page
    assert 'data-testid="palette-input"' in page
    assert 'data-source="/palette.json"' in page
    assert "js/palette.js" in page


def test_the_login_page_has_no_palette(client, db):
    assert 'data-testid="palette"' not in client.get("/login/").text


@pytest.mark.parametrize("who", ["viewer", "engineer", "senior", "admin_user"])
def test_every_page_of_the_navigation_is_in_the_palette(client, request, northwind, who):
    from accounts.context_processors import navigation_items

    user = request.getfixturevalue(who)
    client.force_login(user)
    urls = {item["url"].split("?")[0] for item in entries(client).values()}
    pages = {reverse(page["url_name"]) for page in navigation_items(user)}
    assert pages and pages <= urls
    metrics = reverse("handoffs:metrics")
    assert (metrics in urls) == any(page["url_name"] == "handoffs:metrics" for page in navigation_items(user))


def test_the_palette_makes_no_query_for_the_navigations_counts(engineer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.context_processors import navigation_items

    with CaptureQueriesContext(connection) as counted:
        navigation_items(engineer, counts=False)
    assert counted.captured_queries == []
    assert any("count" in page for page in navigation_items(engineer))
