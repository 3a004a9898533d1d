"""Two seniors press Pick Up on the same escalation at the same moment: exactly one gets the
handoff context, the other is told on the card who won."""

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
