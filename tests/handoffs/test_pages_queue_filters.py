"""The queue's views (Unclaimed / Mine / All) and its search on title, client and ticket, on
the page, its live partials and the API; the command palette's escalation entries."""

import re

import pytest
from django.urls import reverse

from tests.handoffs.escalations import claimed, escalated

pytestmark = pytest.mark.django_db


def cards(html):
    return re.findall(r'data-testid="queue-card" data-handoff="([0-9a-f-]+)"', html)


@pytest.fixture
def queue(northwind, engineer, senior, admin_user):
    return {
        "open": escalated(northwind, engineer, title="Outlook hangs", client_name="Fabrikam Dental", ticket_ref="T-1"),
        "mine": claimed(northwind, engineer, senior, title="VPN drops", client_name="Harbor Dental", ticket_ref="T-2"),
        "theirs": claimed(northwind, engineer, admin_user, title="Printer jam", client_name="Acme", ticket_ref="T-3"),
    }


@pytest.mark.parametrize(("show", "expected"), [
    ("all", ["open", "mine", "theirs"]), ("unclaimed", ["open"]), ("mine", ["mine"]), ("bogus", ["open", "mine",
                                                                                                 "theirs"]),
])
def test_each_view_shows_its_escalations(client, senior, queue, show, expected):
    client.force_login(senior)
    page = client.get(f"/escalations/?show={show}").content.decode()
    assert sorted(cards(page)) == sorted(str(queue[name].pk) for name in expected)
    assert f'data-testid="queue-filter-{show if show != "bogus" else "all"}"' in re.sub(
        r'aria-current="true" ', "", page)


@pytest.mark.parametrize(("q", "expected"), [("harbor", "mine"), ("T-3", "theirs"), ("outlook HANGS", "open"),
                                             ("hangs outlook", "open"), ("dental outlook", "open")])
def test_the_search_finds_title_client_or_ticket(client, senior, queue, q, expected):
    client.force_login(senior)
    page = client.get("/escalations/", {"q": q}).content.decode()
    assert cards(page) == [str(queue[expected].pk)]


def test_a_search_with_no_match_says_so_and_offers_all(client, senior, queue):
    client.force_login(senior)
    page = client.get("/escalations/?show=mine&q=nothing-like-this").content.decode()
    assert cards(page) == []
    assert "No escalation held by you matches “nothing-like-this”" in page and "queue-filter-clear" in page


def test_the_live_list_and_cards_keep_the_pages_filter(client, senior, queue):
    client.force_login(senior)
    page = client.get("/escalations/?show=unclaimed").content.decode()
    assert 'data-list-url="/escalations/list/?show=unclaimed"' in page

    assert cards(client.get("/escalations/list/?show=unclaimed").content.decode()) == [str(queue["open"].pk)]
    # A card that no longer passes the filter (claimed, while Unclaimed shows) answers empty: it is removed.
    assert client.get(f"/escalations/{queue['mine'].pk}/card/?show=unclaimed").content == b""
    assert cards(client.get(f"/escalations/{queue['mine'].pk}/card/?show=mine").content.decode()) == [
        str(queue["mine"].pk)]


def test_the_nav_count_stays_the_accounts_unclaimed_count_whatever_the_view(client, senior, queue):
    client.force_login(senior)
    page = client.get("/escalations/?show=mine").content.decode()
    assert 'data-testid="nav-escalations-count">1<' in page and 'data-open-count="1"' in page


def test_the_api_searches_with_q(api, senior, queue):
    response = api.as_user(senior).get(reverse("handoff-list"), {"q": "harbor T-2"})
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [str(queue["mine"].pk)]


def test_the_palette_finds_the_queue_and_open_escalations_by_title(client, senior, queue, outsider, outsider_admin):
    foreign = escalated(outsider, outsider_admin, title="Their secret escalation")
    client.force_login(senior)
    items = {item["id"]: item for item in client.get("/palette.json").json()["items"]}

    assert items["page:queue"]["url"] == "/escalations/"
    assert items[f"handoff:{queue['open'].pk}"]["label"] == "Outlook hangs"
    assert items[f"handoff:{queue['mine'].pk}"]["hint"].startswith("Normal · you have it")
    assert f"handoff:{foreign.pk}" not in items


def test_the_palette_offers_account_management_to_admins(client, admin_user):
    client.force_login(admin_user)
    items = {item["id"]: item for item in client.get("/palette.json").json()["items"]}
    assert items["page:account"]["label"] == "Account Management"
    assert "account" in items["page:account"]["keywords"]
