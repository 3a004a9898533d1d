"""What a watching session page re-fetches when its socket says the session changed: the
named regions out of band, or the whole screen, as the reader may see it."""

import re

import pytest

from sessions_app import services

from .factories import FactFactory, FlowSessionFactory, MessageFactory, SessionFactory


def oob_ids(body):
    return re.findall(r' id="([\w-]+)"[^>]*hx-swap-oob="true"', body)


@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer, title="Outlook hangs at Fabrikam")


def test_the_regions_named_come_back_out_of_band_in_the_pages_order(client, senior, session):
    FactFactory(session=session, key="os_version", value="Windows 11 23H2")
    client.force_login(senior)

    body = client.get(f"/sessions/{session.pk}/regions/?region=preview&region=facts").content.decode()

    assert oob_ids(body) == ["facts-list", "preview-body"]
    assert "Windows 11 23H2" in body


def test_regions_the_page_does_not_have_are_left_out_and_none_named_means_all(client, engineer, northwind):
    flow_session = FlowSessionFactory(account=northwind, owner=engineer)
    client.force_login(engineer)

    named = client.get(f"/sessions/{flow_session.pk}/regions/?region=facts&region=flow_step&region=bogus")
    everything = client.get(f"/sessions/{flow_session.pk}/regions/")

    assert oob_ids(named.content.decode()) == ["flow-step"]
    assert oob_ids(everything.content.decode()) == ["session-meta", "transcript", "preview-body", "flow-step",
                                                    "flow-path"]
    assert named["X-Session-Id"] == str(flow_session.pk)


def test_the_whole_screen_shows_what_the_reader_may_do_now(client, engineer, senior, session):
    MessageFactory(session=session, body="Outlook hangs on Loading profile")
    client.force_login(engineer)
    before = client.get(f"/sessions/{session.pk}/live/").content.decode()
    services.session_resolve(session=session, actor=engineer, resolution="Rebuilt the profile")
    after = client.get(f"/sessions/{session.pk}/live/").content.decode()

    assert before.lstrip().startswith('<div id="session-page"')
    assert 'data-testid="composer-input"' in before and 'data-testid="read-only-notice"' not in before
    assert 'data-testid="composer-input"' not in after
    assert "This session is resolved" in after and 'data-status="resolved"' in after
    assert "<html" not in after


def test_a_live_refresh_leaves_flash_messages_for_the_next_page(client, engineer, session):
    client.force_login(engineer)
    client.post(f"/sessions/{session.pk}/resolve/", {"resolution": "Rebuilt the profile"})

    client.get(f"/sessions/{session.pk}/live/")
    client.get(f"/sessions/{session.pk}/regions/")
    page = client.get(f"/sessions/{session.pk}/").content.decode()

    assert "Session resolved." in page


@pytest.mark.parametrize("path", ["live", "regions"])
def test_another_accounts_session_is_not_found(client, outsider_admin, session, path):
    client.force_login(outsider_admin)
    assert client.get(f"/sessions/{session.pk}/{path}/").status_code == 404


def test_the_page_and_the_whole_screen_carry_the_number_of_the_last_change_they_include(client, engineer, session):
    client.force_login(engineer)
    services.fact_set(session=session, actor=engineer, key="client", value="Fabrikam")
    services.fact_set(session=session, actor=engineer, key="os_version", value="Windows 11")

    page = client.get(f"/sessions/{session.pk}/").content.decode()
    screen = client.get(f"/sessions/{session.pk}/live/").content.decode()

    assert re.search(r'id="session-page"[^>]*data-event-seq="2"', page)
    assert re.search(r'id="session-page"[^>]*data-event-seq="2"', screen)
