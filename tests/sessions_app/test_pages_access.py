"""Who may open the session pages: everyone in the account reads, engineers and admins start
sessions, anonymous visitors are sent to log in, and another account's session is a 404 on
every page and every action, never a 403 (docs/architecture.md#rules)."""

import pytest

from accounts.models import User
from sessions_app.models import Fact, Fix, Message, TroubleshootingSession

from .factories import FactFactory, FixFactory, FlowSessionFactory, SessionFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer)


@pytest.fixture
def foreign_session(outsider, outsider_admin):
    return SessionFactory(account=outsider, owner=outsider_admin, title="Contoso printer")


def write_endpoints(session):
    """Every POST of a session page, with input that would be accepted from the owner."""
    fact = FactFactory(session=session, key="os")
    fix = FixFactory(session=session)
    base = f"/sessions/{session.pk}"
    return [
        (f"{base}/messages/", {"body": "It still hangs"}),
        (f"{base}/resolve/", {"resolution": "Rebuilt the profile"}),
        (f"{base}/facts/", {"key": "hostname", "value": "PC-1"}),
        (f"{base}/facts/{fact.pk}/", {"key": "os", "value": "Windows 10"}),
        (f"{base}/facts/{fact.pk}/delete/", {}),
        (f"{base}/fixes/", {"title": "Repair Office"}),
        (f"{base}/fixes/{fix.pk}/status/", {"status": "active"}),
        (f"{base}/flow/answer/", {"step": "restart", "option": "Yes"}),
        (f"{base}/flow/back/", {}),
    ]


def snapshot(session):
    account = session.account
    return (
        TroubleshootingSession.unscoped.filter(pk=session.pk).values_list("status", "resolution", "path").get(),
        sorted(Message.objects.for_account(account).filter(session=session).values_list("kind", "body")),
        sorted(Fact.objects.for_account(account).filter(session=session).values_list("key", "value")),
        sorted(Fix.objects.for_account(account).filter(session=session).values_list("title", "status")),
    )


@pytest.mark.parametrize("persona", ["viewer", "engineer", "senior", "admin"])
@pytest.mark.parametrize("url", ["/sessions/", "/sessions/{id}/", "/"])
def test_everyone_in_the_account_reads_history_sessions_and_home(client, personas, persona, session, url):
    client.force_login(personas[persona])

    response = client.get(url.format(id=session.pk))

    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["engineer", "senior", "admin"])
def test_engineers_and_admins_open_the_new_session_page(client, personas, persona):
    client.force_login(personas[persona])

    assert client.get("/sessions/new/").status_code == 200


def test_a_viewer_gets_a_friendly_403_on_the_new_session_page_and_cannot_post_one(client, viewer, northwind):
    client.force_login(viewer)

    page = client.get("/sessions/new/")
    posted = client.post("/sessions/new/", {"mode": "assistant", "problem": "VPN drops"})

    assert page.status_code == 403
    assert 'data-testid="forbidden"' in page.text
    assert "Viewers can read sessions but not start them." in page.text
    assert posted.status_code == 403
    assert not TroubleshootingSession.objects.for_account(northwind).exists()


@pytest.mark.parametrize("url", ["/sessions/", "/sessions/new/", "/sessions/{id}/"])
def test_anonymous_visitors_are_sent_to_log_in_and_come_back(client, session, url):
    url = url.format(id=session.pk)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"/login/?next={url}"


def test_an_anonymous_htmx_post_is_sent_to_log_in_by_a_client_redirect(client, session):
    response = client.post(f"/sessions/{session.pk}/messages/", {"body": "hello"},
                           headers={**HTMX, "HX-Current-URL": f"http://testserver/sessions/{session.pk}/"})

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/login/?next=/sessions/{session.pk}/"
    assert not Message.objects.for_account(session.account).filter(session=session).exists()


def test_platform_staff_without_an_account_get_a_403_on_session_pages(client, db):
    staff = User.objects.create_user(email="staff@platform.test", password="x", is_staff=True)
    client.force_login(staff)

    for url in ("/sessions/", "/sessions/new/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "platform staff have none" in response.text


def test_another_accounts_session_is_a_404_not_a_403(client, engineer, foreign_session):
    client.force_login(engineer)

    response = client.get(f"/sessions/{foreign_session.pk}/")

    assert response.status_code == 404
    assert "Contoso printer" not in response.text


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_every_action_on_another_accounts_session_is_a_404_and_changes_nothing(client, admin_user, outsider,
                                                                               outsider_admin, htmx):
    foreign = FlowSessionFactory(account=outsider, owner=outsider_admin)
    endpoints = write_endpoints(foreign)
    before = snapshot(foreign)
    client.force_login(admin_user)

    for url, data in endpoints:
        response = client.post(url, data, headers=HTMX if htmx else {})
        assert response.status_code == 404, url

    assert snapshot(foreign) == before


def test_a_fact_or_fix_of_another_session_is_a_404_through_this_sessions_url(client, engineer, northwind, session):
    other = SessionFactory(account=northwind, owner=engineer)
    fact, fix = FactFactory(session=other), FixFactory(session=other)
    client.force_login(engineer)

    assert client.post(f"/sessions/{session.pk}/facts/{fact.pk}/", {"key": "a", "value": "b"}).status_code == 404
    assert client.post(f"/sessions/{session.pk}/facts/{fact.pk}/delete/").status_code == 404
    assert client.post(f"/sessions/{session.pk}/fixes/{fix.pk}/status/", {"status": "active"}).status_code == 404


@pytest.mark.parametrize("persona", ["viewer", "senior"])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_viewers_and_other_engineers_are_refused_every_write_with_403_and_nothing_changes(
    client, personas, persona, northwind, engineer, htmx
):
    session = FlowSessionFactory(account=northwind, owner=engineer)
    endpoints = write_endpoints(session)
    before = snapshot(session)
    client.force_login(personas[persona])

    for url, data in endpoints:
        response = client.post(url, data, headers=HTMX if htmx else {})
        assert response.status_code == 403, url
        if htmx:  # the reason is addressed to a place on the page, where app.js swaps it in
            assert response["HX-Retarget"], url

    assert snapshot(session) == before


@pytest.mark.parametrize("url", ["/sessions/{id}/", "/sessions/", "/sessions/new/", "/palette.json"])
def test_session_pages_refuse_methods_they_do_not_have(client, engineer, session, url):
    client.force_login(engineer)

    assert client.put(url.format(id=session.pk)).status_code == 405


def test_writes_are_post_only(client, engineer, session):
    client.force_login(engineer)

    assert client.get(f"/sessions/{session.pk}/messages/").status_code == 405
    assert client.get(f"/sessions/{session.pk}/resolve/").status_code == 405
