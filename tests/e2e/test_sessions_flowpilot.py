"""A technician runs a starter runbook in FlowPilot, from the New session page to Resolve,
answering with the number keys and the big option buttons, stepping back once, adding a
note; and finds the session in the Flow Sessions tab of Session History."""

import re

import pytest
from playwright.sync_api import expect

from sessions_app.flows.library import load_library

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def library(db):
    load_library()


def test_an_engineer_walks_the_printer_runbook_to_resolve(page, engineer, library, log_in):
    log_in(engineer)
    page.get_by_test_id("nav-new-session").click()
    page.get_by_test_id("new-mode-flow").check()
    page.get_by_test_id("new-flow-filter").fill("spooler")
    expect(page.get_by_test_id("new-flow-vpn-will-not-connect")).to_be_hidden()
    page.get_by_test_id("new-flow-printer-offline-spooler").check()
    page.get_by_test_id("new-client").fill("Fabrikam Dental")
    page.get_by_test_id("new-ticket").fill("T-3003")
    page.get_by_test_id("new-submit").click()

    step = page.get_by_test_id("flow-step-text")
    expect(step).to_have_text("Can anyone else print to this printer?")
    page.wait_for_load_state()  # sessions.js handles the number keys
    expect(page.get_by_test_id("flow-path-empty")).to_be_visible()

    page.keyboard.press("1")  # "Nobody can print to it"
    expect(step).to_contain_text("check its panel")
    expect(page.get_by_test_id("flow-path-item")).to_have_count(1)

    page.get_by_test_id("flow-back").click()
    expect(step).to_have_text("Can anyone else print to this printer?")
    expect(page.get_by_test_id("flow-path-item")).to_have_count(0)

    page.keyboard.press("2")  # "Others can, this user cannot"
    expect(step).to_have_text("Clear the stuck jobs and restart the Print Spooler.")
    expect(page.get_by_test_id("flow-step-detail")).to_contain_text("Stop-Service Spooler")

    page.get_by_test_id("note-input").fill("Twelve jobs stuck from the accounting PC")
    page.get_by_test_id("note-submit").click()
    expect(page.get_by_test_id("message-note")).to_contain_text("Twelve jobs stuck")
    expect(page.get_by_test_id("note-input")).to_have_value("")

    page.get_by_test_id("flow-option-1").click()  # "Queue clears and the test page prints"
    expect(step).to_contain_text("Stuck jobs blocked the queue")
    expect(page.get_by_test_id("flow-path-item")).to_have_count(2)
    resolution = page.get_by_test_id("flow-resolve-note")
    expect(resolution).to_have_value(re.compile("^Stuck jobs blocked the queue"))
    expect(page.get_by_test_id("preview-text")).to_have_value(re.compile("Runbook:"))

    page.get_by_test_id("flow-resolve-submit").click()

    expect(page.get_by_test_id("session-status")).to_have_text("Resolved")
    expect(page.get_by_test_id("session-resolution")).to_contain_text("Stuck jobs blocked the queue")
    expect(page.get_by_test_id("flow-resolve-note")).to_have_count(0)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path="/tmp/rf-flowpilot-1280.png", full_page=True)

    page.get_by_test_id("nav-sessions").click()
    page.get_by_test_id("history-tab-flow").click()
    expect(page).to_have_url(re.compile(r"mode=flow"))
    card = page.get_by_test_id("session-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Printer offline or print queue stuck")
    expect(card.get_by_test_id("session-card-status")).to_have_text("Resolved")

    page.get_by_test_id("history-filter-q").fill("no such words")
    expect(page.get_by_test_id("history-empty")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]q=no(%20|\+)such(%20|\+)words"))  # pushed into history
    page.get_by_test_id("history-filter-q").fill("stuck jobs")  # the resolution is searched too
    expect(page.get_by_test_id("session-card")).to_have_count(1)
    page.get_by_test_id("history-filter-status").select_option("active")
    expect(page.get_by_test_id("history-empty")).to_be_visible()


def test_a_hand_over_step_says_the_runbook_cannot_fix_it(page, engineer, library, log_in):
    log_in(engineer)
    page.goto("/sessions/new/?mode=flow")
    page.get_by_test_id("new-flow-printer-offline-spooler").check()
    page.get_by_test_id("new-submit").click()

    page.get_by_test_id("flow-option-1").click()  # nobody can print
    expect(page.get_by_test_id("flow-step-text")).to_contain_text("check its panel")
    page.get_by_test_id("flow-option-2").click()  # panel looks fine
    expect(page.get_by_test_id("flow-step-text")).to_contain_text("answer on the network")
    page.get_by_test_id("flow-option-3").click()  # no answer at all

    expect(page.get_by_test_id("flow-escalate-notice")).to_contain_text("This runbook can't fix it.")
    expect(page.get_by_test_id("flow-resolve-note")).to_have_value("")
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path="/tmp/rf-flowpilot-375.png", full_page=True)
