"""A queue that missed an event does not stay stale: it notices the gap in ``seq`` or the lost
connection and re-fetches the whole list. The queue's websocket runs through a Playwright
route that can drop messages and cut the connection, like a flaky network."""

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from accounts import services as account_services
from accounts.models import Role
from handoffs import services
from tests.e2e.pages import FlakyPipe
from tests.factories import UserFactory
from tests.sessions_app.factories import SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def api(server, user, path, body):
    """Like a click in another browser: the change happens in the server process, which publishes it."""
    key = account_services.api_token_create(user=user).key
    request = urllib.request.Request(f"{server.url}/api/v1/{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Token {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the local test server)
        assert response.status in (200, 201)
        return json.loads(response.read())


def wait_until(page, condition, timeout_ms=5000):
    for _ in range(timeout_ms // 50):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError("condition not met in time")


@pytest.fixture
def sessions(northwind, engineer):
    return [SessionFactory(account=northwind, owner=engineer, title=title)
            for title in ("Printer offline", "Teams crashes on start")]


def test_a_gap_in_seq_makes_the_queue_fetch_the_whole_list(northwind, sessions, engineer, senior, browser_as,
                                                            asgi_server, off_loop):
    first, second = (off_loop(services.handoff_escalate, session=s, actor=engineer, note="Stuck") for s in sessions)
    pat = UserFactory(account=northwind, role=Role.ENGINEER, display_name="Pat Peer")
    page = browser_as(senior)
    pipe = FlakyPipe(page, re.compile(r"/ws/v1/queue/$"))
    page.goto("/escalations/")
    expect(page.locator("html")).to_have_attribute("data-live", "open")
    expect(page.get_by_test_id("queue-card-pickup")).to_have_count(2)

    pipe.dropping = True  # the event of Pat's claim of the first one is lost on the way
    api(asgi_server, pat, f"handoffs/{first.pk}/claim/", {})
    wait_until(page, lambda: any(m.get("event") == "handoff.claimed" for m in pipe.dropped))
    pipe.dropping = False
    # The next event is about the second card only; its seq skips the lost one.
    api(asgi_server, engineer, f"handoffs/{second.pk}/cancel/", {"note": "Got it working"})

    first_card = page.locator(f"#handoff-{first.pk}")
    expect(first_card.get_by_test_id("queue-card-claimed-by")).to_contain_text("Picked up by Pat Peer")
    expect(first_card.get_by_test_id("queue-card-pickup")).to_have_count(0)
    expect(page.locator(f"#handoff-{second.pk}")).to_have_count(0)


def test_after_a_lost_connection_the_queue_reconnects_and_resyncs(sessions, engineer, senior, browser_as,
                                                                  asgi_server):
    page = browser_as(senior)
    pipe = FlakyPipe(page, re.compile(r"/ws/v1/queue/$"))
    page.goto("/escalations/")
    expect(page.locator("html")).to_have_attribute("data-live", "open")
    page.evaluate("window.__sameDocument = true")

    pipe.dropping = True
    api(asgi_server, engineer, f"sessions/{sessions[0].pk}/handoff/", {"note": "while the network was down"})
    wait_until(page, lambda: pipe.dropped)
    pipe.dropping = False
    pipe.cut()

    expect(page.locator("html")).to_have_attribute("data-live", "reconnecting")
    expect(page.get_by_test_id("live-state")).to_have_text("Reconnecting…")
    expect(page.locator("html")).to_have_attribute("data-live", "open", timeout=10000)
    expect(page.get_by_test_id("queue-card")).to_have_count(1)
    expect(page.get_by_test_id("queue-card")).to_contain_text("Printer offline")
    expect(page.get_by_test_id("live-state")).to_be_hidden()
    assert page.evaluate("window.__sameDocument === true")
