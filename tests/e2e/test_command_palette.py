"""The command palette: Ctrl+K opens it on any page, typing filters, the arrow keys move,
Enter opens, Escape closes; starting FlowPilot from it lands on the runbook's first step."""

import re

import pytest
from playwright.sync_api import expect

from sessions_app.flows.library import load_library
from sessions_app.models import Flow

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def library(db):
    load_library()


def test_an_engineer_starts_flowpilot_from_the_palette_with_the_keyboard(page, engineer, library, log_in):
    log_in(engineer)
    page.wait_for_load_state()  # the page's scripts listen for the shortcut once loaded
    printer = Flow.objects.available_to(engineer.account).get(slug="printer-offline-spooler")

    page.keyboard.press("Control+K")
    palette_input = page.get_by_test_id("palette-input")
    expect(palette_input).to_be_focused()
    palette_input.fill("printer")
    entry = page.locator('[data-testid="palette-item"][data-palette-id="flow:printer-offline-spooler"]')
    expect(entry).to_have_text(re.compile("FlowPilot: Printer offline or print queue stuck"))
    expect(page.get_by_test_id("palette-item").first).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("palette-item").first).to_have_attribute(
        "data-palette-id", "flow:printer-offline-spooler")
    palette_input.press("Enter")

    expect(page).to_have_url(re.compile(rf"/sessions/new/\?mode=flow&flow={printer.pk}$"))
    expect(page.get_by_test_id("new-mode-flow")).to_be_checked()
    expect(page.get_by_test_id("new-flow-printer-offline-spooler")).to_be_checked()
    page.get_by_test_id("new-client").fill("Fabrikam Dental")
    page.get_by_test_id("new-submit").click()

    expect(page.get_by_test_id("flow-step-text")).to_have_text("Can anyone else print to this printer?")
    expect(page.get_by_test_id("session-mode")).to_contain_text("Printer offline or print queue stuck")


def test_arrow_keys_move_through_the_entries_and_escape_closes(page, engineer, library, log_in):
    log_in(engineer)

    page.get_by_test_id("palette-open").click()
    palette_input = page.get_by_test_id("palette-input")
    palette_input.fill("session history")
    expect(page.get_by_test_id("palette-item").first).to_have_attribute("data-palette-id", "history")
    palette_input.fill("")
    items = page.get_by_test_id("palette-item")
    expect(items.first).to_have_attribute("aria-selected", "true")
    palette_input.press("ArrowDown")
    expect(items.nth(1)).to_have_attribute("aria-selected", "true")
    expect(items.first).to_have_attribute("aria-selected", "false")
    palette_input.press("ArrowUp")
    palette_input.press("ArrowUp")  # wraps to the last entry
    expect(items.last).to_have_attribute("aria-selected", "true")

    palette_input.press("Escape")
    expect(page.get_by_test_id("palette")).to_be_hidden()

    page.keyboard.press("Control+K")
    expect(page.get_by_test_id("palette")).to_be_visible()
    page.get_by_test_id("palette-input").fill("session history")
    page.get_by_test_id("palette-input").press("Enter")
    expect(page).to_have_url(re.compile(r"/sessions/$"))


def test_a_viewer_is_offered_no_way_to_start_a_session(page, viewer, library, log_in):
    log_in(viewer)
    page.wait_for_load_state()

    page.keyboard.press("Control+K")
    page.get_by_test_id("palette-input").fill("flowpilot")

    expect(page.get_by_test_id("palette-status")).to_contain_text("Nothing matches")
    expect(page.get_by_test_id("palette-item")).to_have_count(0)
