"""A session page that missed a ``session.changed`` event does not stay stale: it notices
the skipped ``seq`` (sessions_app/events.py) or the lost connection and re-renders the whole
screen in place. The session's websocket runs through a Playwright route that can drop
messages, cut the connection and refuse to reconnect, like a flaky network."""

import re

import pytest
from playwright.sync_api import expect

from handoffs import services
from tests.e2e.pages import FlakyPipe, live, remember_this_page, was_not_reloaded
from tests.e2e.test_escalation_resync import api, wait_until
from tests.sessions_app.factories import SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)
SESSION_SOCKET = re.compile(r"/ws/v1/sessions/[0-9a-f-]+/$")


@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer, title="Outlook hangs at Loading profile",
                          client_name="Harbor Dental", ticket_ref="T-2207")


def test_a_skipped_seq_makes_the_session_page_re_render_the_whole_screen(session, engineer, senior, browser_as,
                                                                          asgi_server):
    page = browser_as(senior)
    pipe = FlakyPipe(page, SESSION_SOCKET)
    page.goto(f"/sessions/{session.pk}/")
    live(page)
    wait_until(page, pipe.greeted)  # the session socket itself is subscribed, not only the queue's
    remember_this_page(page)
    expect(page.locator("#session-page")).to_have_attribute("data-event-seq", "0")

    pipe.dropping = True  # the event of this fact is lost on the way
    api(asgi_server, engineer, f"sessions/{session.pk}/facts/", {"key": "outlook_build", "value": "16.0.17928"})
    wait_until(page, lambda: any(m.get("event") == "session.changed" for m in pipe.dropped))
    pipe.dropping = False
    # The next event names only the fixes (and head, preview): its seq skips the lost one.
    api(asgi_server, engineer, f"sessions/{session.pk}/fixes/", {"title": "Rebuild the OST with a new profile"})

    expect(page.get_by_test_id("fixes-list")).to_contain_text("Rebuild the OST with a new profile")
    expect(page.get_by_test_id("facts-list")).to_contain_text("16.0.17928")
    expect(page.locator("#session-page")).to_have_attribute("data-event-seq", "2")
    assert was_not_reloaded(page)
    # The re-rendered screen's Copy button is served disabled; sessions.js enables it on the swap.
    expect(page.get_by_test_id("preview-copy")).to_be_enabled()


def test_a_change_made_while_the_socket_was_down_shows_after_the_reconnect(session, engineer, senior, browser_as,
                                                                           asgi_server, off_loop):
    handoff = off_loop(services.handoff_escalate, session=session, actor=engineer, note="Profile rebuild did not help")
    off_loop(services.handoff_claim, handoff=handoff, actor=senior)  # so Sam may write in the session
    junior = browser_as(engineer)
    pipe = FlakyPipe(junior, SESSION_SOCKET)
    junior.goto(f"/sessions/{session.pk}/")
    live(junior)
    remember_this_page(junior)
    sam = browser_as(senior)
    sam.goto(f"/sessions/{session.pk}/")
    live(sam)

    pipe.offline = True
    pipe.cut()
    expect(junior.locator("html")).to_have_attribute("data-live", "reconnecting")
    wait_until(junior, lambda: pipe.refused >= 1, timeout_ms=10000)  # it tried again, and the network refused

    # Meanwhile, in the other browser.
    sam.get_by_test_id("fact-add-key").fill("mailbox_size")
    sam.get_by_test_id("fact-add-value").fill("48 GB")
    sam.get_by_test_id("fact-add-submit").click()
    expect(sam.get_by_test_id("facts-list")).to_contain_text("48 GB")
    expect(junior.get_by_test_id("facts-list")).not_to_contain_text("48 GB")

    pipe.offline = False
    expect(junior.locator("html")).to_have_attribute("data-live", "open", timeout=15000)
    expect(junior.get_by_test_id("facts-list")).to_contain_text("48 GB")
    assert was_not_reloaded(junior)
