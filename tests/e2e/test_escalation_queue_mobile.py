"""On a 375 px wide phone the Escalation Queue is a stack of full-width cards."""

import pytest
from playwright.sync_api import expect

from handoffs import services
from tests.sessions_app.factories import SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 375, "height": 812}


def test_the_queue_at_375_px_is_a_stack_of_full_width_cards(northwind, engineer, senior, browser_as, off_loop):
    for title, urgency in (("Server down at the clinic", "critical"), ("Printer offline", "normal"),
                           ("Outlook hangs on Loading profile for the whole front desk", "high")):
        session = SessionFactory(account=northwind, owner=engineer, title=title)
        off_loop(services.handoff_escalate, session=session, actor=engineer, urgency=urgency, note="Tried the usual")

    page = browser_as(senior, viewport=PHONE)
    page.goto("/escalations/")
    cards = page.get_by_test_id("queue-card")
    expect(cards).to_have_count(3)

    boxes = [cards.nth(i).bounding_box() for i in range(3)]
    for box in boxes:
        assert box["width"] >= PHONE["width"] - 32, box  # the page's side padding only
        assert box["x"] + box["width"] <= PHONE["width"], box
    assert {round(box["x"]) for box in boxes} == {round(boxes[0]["x"])}  # one column
    assert boxes[0]["y"] + boxes[0]["height"] <= boxes[1]["y"] and boxes[1]["y"] + boxes[1]["height"] <= boxes[2]["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing runs off the side
    expect(cards.first).to_contain_text("Server down at the clinic")  # critical first
    page.screenshot(path="/tmp/rf-e2e-queue-375.png", full_page=True)

    cards.first.get_by_test_id("queue-card-open").click()
    summary = page.get_by_test_id("handoff-summary").bounding_box()
    assert summary["x"] == 0 and summary["width"] == PHONE["width"]  # the context screen is full-bleed
    page.screenshot(path="/tmp/rf-e2e-context-375.png", full_page=True)
