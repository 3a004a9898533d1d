"""The home page's "My open sessions" card and its New session button."""

from datetime import UTC, datetime

from sessions_app.models import SessionStatus

from .factories import FlowSessionFactory, SessionFactory


def test_home_lists_my_open_sessions_with_resume_buttons_and_offers_a_new_session(client, northwind, engineer,
                                                                                   senior):
    mine = SessionFactory(account=northwind, owner=engineer, title="Outlook profile corrupt")
    flow = FlowSessionFactory(account=northwind, owner=engineer, title="Printer at reception")
    SessionFactory(account=northwind, owner=engineer, title="Old resolved one", status=SessionStatus.RESOLVED,
                   resolved_at=datetime(2026, 1, 1, tzinfo=UTC))
    SessionFactory(account=northwind, owner=senior, title="A colleague's session")
    client.force_login(engineer)

    page = client.get("/").text

    assert 'data-testid="home-open-sessions"' in page
    assert 'data-testid="home-new-session"' in page
    assert "Outlook profile corrupt" in page and "Printer at reception" in page
    assert "Old resolved one" not in page and "A colleague" not in page
    assert f'href="/sessions/{mine.pk}/#latest"' in page
    assert f'href="/sessions/{flow.pk}/#current-step"' in page


def test_home_says_when_there_is_nothing_open(client, engineer):
    client.force_login(engineer)

    assert 'data-testid="home-no-sessions"' in client.get("/").text


def test_a_viewer_gets_no_new_session_button(client, viewer):
    client.force_login(viewer)

    page = client.get("/").text

    assert 'data-testid="home-open-sessions"' in page
    assert 'data-testid="home-new-session"' not in page
    assert 'data-testid="nav-new-session"' not in page
    assert 'data-testid="nav-sessions"' in page


def test_engineers_get_sessions_and_new_session_in_the_navigation(client, engineer):
    client.force_login(engineer)

    page = client.get("/sessions/").text

    assert 'data-testid="nav-new-session"' in page
    assert 'href="/sessions/" data-testid="nav-sessions" aria-current="page"' in page
