"""Session History: tabs for AI and Flow sessions, filters in the query string (status, mine
or everyone's, client, text), htmx answering with the list alone, cards that resume a
session where it was left, pages of twenty."""

import re
from datetime import UTC, datetime

import pytest

from sessions_app.models import SessionStatus, TroubleshootingSession

from .factories import FlowSessionFactory, SessionFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def as_engineer(client, engineer):
    client.force_login(engineer)
    return client


@pytest.fixture
def sessions(northwind, engineer, senior, outsider, outsider_admin):
    return {
        "mine": SessionFactory(account=northwind, owner=engineer, title="Outlook profile corrupt",
                               client_name="Fabrikam Dental", ticket_ref="T-100"),
        "mine_resolved": SessionFactory(account=northwind, owner=engineer, title="Teams camera black",
                                        client_name="Tailspin Toys", status=SessionStatus.RESOLVED,
                                        resolved_at=datetime(2026, 1, 5, tzinfo=UTC),
                                        resolution="Updated the camera driver"),
        "colleague": SessionFactory(account=northwind, owner=senior, title="VPN drops every hour",
                                    client_name="Fabrikam Dental"),
        "flow": FlowSessionFactory(account=northwind, owner=engineer, title="Printer offline at reception"),
        "foreign": SessionFactory(account=outsider, owner=outsider_admin, title="Contoso mailbox full"),
    }


def titles(response):
    return {title for title in ("Outlook profile corrupt", "Teams camera black", "VPN drops every hour",
                                "Printer offline at reception", "Contoso mailbox full") if title in response.text}


def test_the_ai_tab_lists_my_assistant_sessions_by_default(as_engineer, sessions):
    response = as_engineer.get("/sessions/")

    assert response.status_code == 200
    assert titles(response) == {"Outlook profile corrupt", "Teams camera black"}
    assert re.search(r'aria-current="page"[^>]*data-testid="history-tab-assistant"', response.text)
    assert 'data-testid="history-tab-flow"' in response.text


def test_the_flow_tab_lists_flow_sessions_and_where_each_stands(as_engineer, sessions):
    response = as_engineer.get("/sessions/?mode=flow")

    assert titles(response) == {"Printer offline at reception"}
    assert "At: Did a restart fix it?" in response.text
    assert f'href="/sessions/{sessions["flow"].pk}/#current-step"' in response.text


def test_everyones_sessions_of_the_account_and_never_another_accounts(as_engineer, sessions):
    response = as_engineer.get("/sessions/?owner=all")

    assert titles(response) == {"Outlook profile corrupt", "Teams camera black", "VPN drops every hour"}


def test_viewers_see_everyones_sessions_by_default(client, viewer, sessions):
    client.force_login(viewer)

    response = client.get("/sessions/")

    assert titles(response) == {"Outlook profile corrupt", "Teams camera black", "VPN drops every hour"}
    assert 'data-testid="history-new"' not in response.text


@pytest.mark.parametrize(("query", "expected"), [
    ("status=resolved", {"Teams camera black"}),
    ("status=active&owner=all", {"Outlook profile corrupt", "VPN drops every hour"}),
    ("client=fabrikam&owner=all", {"Outlook profile corrupt", "VPN drops every hour"}),
    ("q=camera+driver", {"Teams camera black"}),  # the resolution is searched too
    # Every word, in any order and in any searched field (resolutionflow.search.every_word).
    ("q=driver+teams", {"Teams camera black"}),
    ("q=corrupt+outlook", {"Outlook profile corrupt"}),
    ("q=fabrikam+vpn&owner=all", {"VPN drops every hour"}),
    ("q=camera+vpn&owner=all", set()),
    ("q=T-100", {"Outlook profile corrupt"}),
    ("q=nothing+like+this", set()),
])
def test_filters_narrow_the_list(as_engineer, sessions, query, expected):
    assert titles(as_engineer.get(f"/sessions/?{query}")) == expected


def test_an_htmx_filter_change_answers_with_the_result_list_alone(as_engineer, sessions):
    response = as_engineer.get("/sessions/?status=resolved", headers={**HTMX, "HX-Target": "history-results"})

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="history-results"')
    assert 'data-testid="history-tab-flow"' not in response.text
    assert titles(response) == {"Teams camera black"}
    assert "HX-Request" in response["Vary"]


def test_an_htmx_tab_change_answers_with_the_tabs_filters_and_list(as_engineer, sessions):
    response = as_engineer.get("/sessions/?mode=flow", headers={**HTMX, "HX-Target": "history"})

    assert response.text.lstrip().startswith('<section id="history"')
    assert "<html" not in response.text
    assert titles(response) == {"Printer offline at reception"}


def test_a_card_shows_client_ticket_status_owner_and_resume(as_engineer, sessions):
    session = sessions["mine"]

    page = as_engineer.get("/sessions/").text

    card = page.split(f'data-session-id="{session.pk}"')[1].split("</li>")[0]
    assert "Fabrikam Dental" in card and "Ticket T-100" in card and "Jamie Junior" in card and "Active" in card
    assert f'data-testid="session-resume-{session.pk}"' in card
    assert f'href="/sessions/{session.pk}/#latest"' in card


def test_updated_times_are_shown_in_the_accounts_time_zone(as_engineer, northwind, sessions):
    northwind.time_zone = "America/New_York"
    northwind.save()
    TroubleshootingSession.unscoped.filter(pk=sessions["mine"].pk).update(
        updated_at=datetime(2026, 7, 1, 2, 15, tzinfo=UTC))

    page = as_engineer.get("/sessions/").text

    assert "30 Jun 2026, 22:15" in page


def test_history_pages_by_twenty_and_keeps_the_filters_in_the_page_links(as_engineer, northwind, engineer):
    SessionFactory.create_batch(23, account=northwind, owner=engineer, client_name="Fabrikam Dental")

    first = as_engineer.get("/sessions/?client=Fabrikam")
    second = as_engineer.get("/sessions/?client=Fabrikam&page=2")

    assert first.text.count('data-testid="session-card"') == 20
    assert "23 sessions match · page 1 of 2" in first.text
    assert 'data-testid="history-next"' in first.text
    next_link = re.search(r'href="([^"]+)" rel="next"', first.text).group(1)
    assert "client=Fabrikam" in next_link and "page=2" in next_link
    assert second.text.count('data-testid="session-card"') == 3
    assert 'data-testid="history-prev"' in second.text


def test_past_the_count_cap_history_says_more_and_stops_paging_there(as_engineer, northwind, engineer, monkeypatch):
    monkeypatch.setattr("resolutionflow.pagination.COUNT_CAP", 40)  # two pages of twenty
    SessionFactory.create_batch(41, account=northwind, owner=engineer, client_name="Fabrikam Dental")

    first = as_engineer.get("/sessions/?client=Fabrikam")
    last = as_engineer.get("/sessions/?client=Fabrikam&page=2")

    count = re.search(r'data-testid="history-count">(.*?)</p>', first.text, re.S).group(1)
    assert " ".join(count.split()) == "40+ sessions match · page 1 of 2+"
    assert last.text.count('data-testid="session-card"') == 20
    assert 'data-testid="history-next"' not in last.text


def test_at_the_count_cap_history_counts_exactly(as_engineer, northwind, engineer, monkeypatch):
    monkeypatch.setattr("resolutionflow.pagination.COUNT_CAP", 40)
    SessionFactory.create_batch(40, account=northwind, owner=engineer, client_name="Fabrikam Dental")

    first = as_engineer.get("/sessions/?client=Fabrikam")

    count = re.search(r'data-testid="history-count">(.*?)</p>', first.text, re.S).group(1)
    assert " ".join(count.split()) == "40 sessions match · page 1 of 2"


def test_a_bad_filter_value_is_a_400_that_still_shows_the_list(as_engineer, sessions):
    response = as_engineer.get("/sessions/?status=on-fire")

    assert response.status_code == 400
    assert 'data-testid="history-filter-error"' in response.text
    assert titles(response) == {"Outlook profile corrupt", "Teams camera black"}


def test_an_empty_history_says_so(as_engineer):
    response = as_engineer.get("/sessions/")

    assert 'data-testid="history-empty"' in response.text


def test_a_search_longer_than_the_limit_is_refused_and_filters_nothing(as_engineer, sessions):
    response = as_engineer.get("/sessions/", {"q": "x" * 201})
    assert response.status_code == 400
    assert titles(response) == {"Outlook profile corrupt", "Teams camera black"}


def test_an_empty_search_points_to_the_other_tabs_matches(as_engineer, sessions):
    response = as_engineer.get("/sessions/", {"q": "printer reception"})  # a FlowPilot session, on the AI tab
    assert titles(response) == set()
    assert 'data-testid="history-empty"' in response.text
    link = re.search(r'<a href="([^"]+)"[^>]*data-testid="history-other-tab">([^<]+)</a>', response.text)
    assert link and link.group(2) == "1 in Flow Sessions"
    assert titles(as_engineer.get(link.group(1).replace("&amp;", "&"))) == {"Printer offline at reception"}


@pytest.mark.parametrize("query", [{"q": "nothing like this"}, {"mode": "flow", "q": "printer"}, {}])
def test_no_pointer_when_the_other_tab_has_none_or_this_one_has_some(as_engineer, sessions, query):
    assert 'data-testid="history-other-tab"' not in as_engineer.get("/sessions/", query).text


def test_a_search_of_one_word_repeated_is_that_word(as_engineer, sessions):
    assert titles(as_engineer.get("/sessions/", {"q": " ".join(["corrupt"] * 25)})) == {"Outlook profile corrupt"}
