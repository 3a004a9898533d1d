"""Two seniors press Pick Up on the same escalation at the same moment: exactly one gets the
handoff context, the other is told on the card who won. And a live update that arrives while
a click is waiting for its answer waits for it, so the answer (a refusal) is shown."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from handoffs import services
from handoffs.models import EventKind, Handoff, HandoffEvent
from tests.factories import UserFactory
from tests.sessions_app.factories import SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_seniors_press_pick_up_together_and_exactly_one_gets_it(northwind, engineer, senior, browser_as,
                                                                     asgi_server, off_loop):
    pat = UserFactory(account=northwind, role=Role.ENGINEER, email="pat@northwind.test", display_name="Pat Peer")
    session = SessionFactory(account=northwind, owner=engineer, title="Exchange mailbox full")
    handoff = off_loop(services.handoff_escalate, session=session, actor=engineer, urgency="high", note="Stuck")
    context_url = f"{asgi_server.url}/escalations/{handoff.pk}/"
    queue_url = f"{asgi_server.url}/escalations/"

    pages = {"Sam Senior": browser_as(senior), "Pat Peer": browser_as(pat)}
    held = []  # both clicks' requests, held in the browsers until both are in flight
    for page in pages.values():
        page.goto("/escalations/")
        expect(page.locator("html")).to_have_attribute("data-live", "open")
        page.route("**/claim/", lambda route: held.append(route))

    for page in pages.values():
        page.get_by_test_id("queue-card-pickup").click()
    for _ in range(100):
        if len(held) == 2:
            break
        pages["Sam Senior"].wait_for_timeout(50)
    assert len(held) == 2, "both Pick Up requests should be in flight"
    for route in held:
        route.continue_()

    for _ in range(100):
        winners = [name for name, page in pages.items() if page.url == context_url]
        if winners:
            break
        pages["Sam Senior"].wait_for_timeout(100)
    assert len(winners) == 1, [page.url for page in pages.values()]
    winner = winners[0]
    loser = next(name for name in pages if name != winner)

    expect(pages[winner].get_by_test_id("handoff-claimed-by")).to_have_text(winner)
    lost = pages[loser]
    expect(lost.get_by_test_id("queue-card-error")).to_have_text(f"{winner} picked this up first.")
    expect(lost.get_by_test_id("queue-card-claimed-by")).to_contain_text(f"Picked up by {winner}")
    expect(lost.get_by_test_id("queue-card-pickup")).to_have_count(0)
    lost.wait_for_timeout(500)  # the live refresh of the card after the winning claim keeps the message
    expect(lost.get_by_test_id("queue-card-error")).to_have_text(f"{winner} picked this up first.")
    assert lost.url == queue_url
    lost.screenshot(path="/tmp/rf-e2e-race-lost.png")

    assert Handoff.unscoped.get(pk=handoff.pk).claimed_by.name == winner
    assert HandoffEvent.unscoped.filter(handoff=handoff, kind=EventKind.CLAIMED).count() == 1


def test_pick_up_pressed_while_the_winning_claim_refreshes_the_card_says_who_won(
        northwind, engineer, senior, browser_as, asgi_server, off_loop):
    # Pat presses Pick Up just after Sam's claim: the card's live refresh (asked for by Sam's
    # claimed event) is answered while Pat's request is in flight. Before, the refresh replaced
    # the card and its form, and the 409 "Sam Senior picked this up first." had nowhere to go
    # (htmx:targetError): Pat saw no answer to the click.
    pat = UserFactory(account=northwind, role=Role.ENGINEER, email="pat@northwind.test", display_name="Pat Peer")
    session = SessionFactory(account=northwind, owner=engineer, title="Exchange mailbox full")
    handoff = off_loop(services.handoff_escalate, session=session, actor=engineer, urgency="high", note="Stuck")
    page = browser_as(pat)
    page.goto("/escalations/")
    expect(page.locator("html")).to_have_attribute("data-live", "open")
    refreshes, claims = [], []
    # The claimed event refreshes the card (or the whole list, when it saw a gap in the events).
    refresh = re.compile(rf"/escalations/(list/|{handoff.pk}/card/)(\?.*)?$")
    page.route(refresh, lambda route: refreshes.append(route))
    page.route("**/claim/", lambda route: claims.append(route))

    sam = browser_as(senior)  # claims through the server, whose socket layer tells Pat's page
    sam.goto("/escalations/")
    sam.get_by_test_id("queue-card-pickup").click()
    wait_until(page, lambda: refreshes, "the claimed event asks for the card")
    page.get_by_test_id("queue-card-pickup").click()
    wait_until(page, lambda: claims, "Pick Up is in flight")
    page.unroute(refresh)
    with page.expect_response(refresh):
        refreshes[0].continue_()  # the refresh is answered first
    with page.expect_response(refresh):  # and asked for again once Pat's click is answered
        claims[0].continue_()

    expect(page.get_by_test_id("queue-card-error")).to_have_text("Sam Senior picked this up first.")
    expect(page.get_by_test_id("queue-card-claimed-by")).to_contain_text("Picked up by Sam Senior")
    expect(page.get_by_test_id("queue-card-pickup")).to_have_count(0)
    page.screenshot(path="/tmp/rf-e2e-race-during-refresh.png")


def wait_until(page, condition, what: str) -> None:
    for _ in range(100):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"not seen: {what}")


def test_a_refusal_answered_while_the_session_page_re_renders_is_shown_and_stays(
        northwind, engineer, senior, browser_as, off_loop):
    # Jamie sends a message the server refuses (too long) just as Sam picks the escalation
    # up, which re-renders Jamie's whole session page. Before, the re-render replaced the
    # composer while its request was in flight, and the refusal had nowhere to go.
    session = SessionFactory(account=northwind, owner=engineer, title="Exchange mailbox full")
    off_loop(services.handoff_escalate, session=session, actor=engineer, urgency="high", note="Stuck")
    jamie = browser_as(engineer)
    jamie.goto(f"/sessions/{session.pk}/")
    expect(jamie.locator("html")).to_have_attribute("data-live", "open")
    live_path = jamie.get_attribute("[data-live-url]", "data-live-url")
    sends = []
    jamie.route("**/messages/", lambda route: sends.append(route))
    jamie.get_by_test_id("composer-input").fill("x" * 10_001)
    jamie.get_by_test_id("composer-send").click()
    wait_until(jamie, lambda: sends, "Send is in flight")

    sam = browser_as(senior)
    sam.goto("/escalations/")
    # The pick-up's events reach Jamie's page: its escalation panel refreshes at once, the
    # whole screen only once Send is answered.
    with jamie.expect_response(lambda response: response.url.endswith(f"/sessions/{session.pk}/escalation/")):
        sam.get_by_test_id("queue-card-pickup").click()
    with jamie.expect_response(lambda response: response.url.endswith(live_path)):
        sends[0].continue_()

    expect(jamie.get_by_test_id("composer-error")).to_contain_text("it holds at most 10000 characters")
    expect(jamie.get_by_test_id("composer-input")).to_have_value("x" * 10_001)
    expect(jamie.get_by_test_id("session-escalation")).to_contain_text("Sam Senior")
