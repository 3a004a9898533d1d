"""A technician works an Assistant session in the browser: starts it, chats (the built-in
assistant answers without a reload), makes the proposed fix active, marks it failed, and
resumes the session from Session History. Also: an answer for another session is refused
on screen, and the page at desktop and phone widths is screenshotted for review."""

import logging
import re
import time
import uuid

import pytest
from playwright.sync_api import expect

import sessions_app.assistant
from sessions_app.flows.library import load_library
from sessions_app.models import Message, MessageKind, TroubleshootingSession

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = {1280: "/tmp/rf-assistant-1280.png", 375: "/tmp/rf-assistant-375.png"}


@pytest.fixture
def library(db):
    load_library()


@pytest.fixture
def slow_assistant(monkeypatch):
    """The real built-in assistant, a little slower, so the "working" state can be seen."""
    respond = sessions_app.assistant.respond

    def slowly(context):
        time.sleep(0.6)
        return respond(context)

    monkeypatch.setattr(sessions_app.assistant, "respond", slowly)


def start_assistant_session(page):
    page.get_by_test_id("nav-new-session").click()
    expect(page.get_by_test_id("new-mode-assistant")).to_be_checked()
    expect(page.get_by_test_id("new-flow-filter")).to_be_hidden()  # the runbook picker is for FlowPilot
    page.get_by_test_id("new-problem").fill("Outlook will not start for the receptionist")
    page.get_by_test_id("new-client").fill("Fabrikam Dental")
    page.get_by_test_id("new-ticket").fill("T-2042")
    page.get_by_test_id("new-submit").click()
    expect(page.get_by_test_id("session-title")).to_have_text("Outlook will not start for the receptionist")
    # The opening is answered before the page is shown.
    expect(page.get_by_test_id("message-assistant")).to_have_count(1)
    page.wait_for_load_state()  # sessions.js handles Enter in the composer


def test_an_engineer_chats_tries_a_proposed_fix_and_resumes_the_session_from_history(
    page, engineer, library, slow_assistant, log_in
):
    log_in(engineer)
    start_assistant_session(page)
    session_id = page.get_by_test_id("session-page").get_attribute("data-session-id")
    # The opening is answered with the runbook's next step, proposed as a fix; why that runbook
    # came up sits behind a disclosure, not in the reply's text.
    expect(page.get_by_test_id("message-assistant").first).to_contain_text("Next step")
    expect(page.get_by_test_id("message-assistant").first).not_to_contain_text("Matched on")
    page.get_by_test_id("suggestion-why-toggle").first.click()
    expect(page.get_by_test_id("suggestion-flow").first).to_contain_text("outlook-will-not-start")

    composer = page.get_by_test_id("composer-input")
    composer.fill("Outlook 2021 on Windows 11 hangs at Loading profile.")
    composer.press("Shift+Enter")  # a new line, not a send
    composer.press_sequentially("Safe mode hangs too.")
    expect(composer).to_have_value("Outlook 2021 on Windows 11 hangs at Loading profile.\nSafe mode hangs too.")
    composer.press("Enter")

    expect(page.get_by_test_id("composer-working")).to_be_visible()
    expect(page.get_by_test_id("composer-send")).to_be_disabled()
    expect(page.get_by_test_id("message-assistant")).to_have_count(2)
    reply = page.get_by_test_id("message-assistant").last
    expect(reply).to_be_visible()
    # The step proposed at the opening comes first: the assistant waits for its outcome.
    expect(reply).to_contain_text("Waiting on")
    expect(page.get_by_test_id("composer-working")).to_be_hidden()
    expect(composer).to_have_value("")  # sent, and cleared for the next message
    expect(page.get_by_test_id("message-tech").last).to_contain_text("Safe mode hangs too.")
    expect(page.locator('[data-testid="fact-row"][data-key="os"]')).to_contain_text("Windows 11")

    fix = page.locator('[data-testid="fix-card"][data-status="proposed"]').first
    fix_id = fix.get_attribute("data-fix-id")
    page.get_by_test_id(f"fix-set-{fix_id}-active").click()
    expect(page.get_by_test_id(f"fix-status-{fix_id}")).to_have_text("Active")
    page.get_by_test_id(f"fix-outcome-{fix_id}").fill("Still hangs with every add-in off")
    page.get_by_test_id(f"fix-set-{fix_id}-failed").click()
    expect(page.get_by_test_id(f"fix-status-{fix_id}")).to_have_text("Failed")
    expect(page.get_by_test_id("preview-text")).to_have_value(re.compile(r"did not help\) - Still hangs with every"))

    for width, path in SCREENSHOTS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=path, full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_test_id("nav-sessions").click()
    page.get_by_test_id(f"session-resume-{session_id}").click()

    expect(page).to_have_url(re.compile(rf"/sessions/{session_id}/#latest$"))
    expect(page.get_by_test_id("message-assistant").last).to_contain_text("Waiting on")
    expect(page.get_by_test_id(f"fix-status-{fix_id}")).to_have_text("Failed")
    expect(page.get_by_test_id(f"fix-outcome-note-{fix_id}")).to_contain_text("Still hangs with every add-in off")


def test_a_fact_is_added_edited_and_removed_in_place(page, engineer, log_in):
    log_in(engineer)
    start_assistant_session(page)

    page.get_by_test_id("fact-add-key").fill("hostname")
    page.get_by_test_id("fact-add-value").fill("PC-FAB-07")
    page.get_by_test_id("fact-add-submit").click()
    row = page.locator('[data-testid="fact-row"][data-key="hostname"]')
    expect(row).to_contain_text("PC-FAB-07")
    expect(page.get_by_test_id("fact-add-key")).to_have_value("")
    fact_id = row.get_attribute("data-fact-id")

    page.get_by_test_id(f"fact-edit-{fact_id}").click()
    page.get_by_test_id(f"fact-edit-value-{fact_id}").fill("PC-FAB-08")
    page.get_by_test_id(f"fact-save-{fact_id}").click()
    expect(page.get_by_test_id(f"fact-value-{fact_id}")).to_have_text("PC-FAB-08")
    expect(page.get_by_test_id("preview-text")).to_have_value(re.compile("hostname: PC-FAB-08"))

    page.get_by_test_id(f"fact-remove-{fact_id}").click()
    expect(row).to_have_count(0)
    expect(page.locator(f'[data-fact-id="{fact_id}"]')).to_have_count(0)


def test_the_ticket_note_switches_to_markdown_and_copies(page, context, engineer, log_in):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(engineer)
    start_assistant_session(page)

    page.get_by_test_id("preview-format-markdown").check()
    expect(page.get_by_test_id("preview-text")).to_have_value(re.compile(r"^\*\*Outlook will not start.*### Problem",
                                                                          re.S))
    page.get_by_test_id("preview-copy").click()

    expect(page.get_by_test_id("preview-copied")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()").startswith("**Outlook will not start")


def test_a_refusal_is_shown_next_to_the_form_and_what_was_typed_is_kept(page, engineer, log_in):
    log_in(engineer)
    start_assistant_session(page)

    page.get_by_test_id("fix-propose-open").click()
    page.get_by_test_id("fix-propose-title").fill("Recreate the Outlook profile")
    page.get_by_test_id("fix-propose-submit").click()
    # The opening's answer may have proposed a fix already: pick the cards by their titles.
    first = page.locator('[data-testid="fix-card"]').filter(has_text="Recreate the Outlook profile")
    expect(first).to_be_visible()
    fix_id = first.get_attribute("data-fix-id")
    page.get_by_test_id(f"fix-set-{fix_id}-active").click()
    # Wait for each answer before the next action: the panel re-renders on every write.
    expect(page.locator(f'[data-testid="fix-card"][data-fix-id="{fix_id}"]')).to_have_attribute("data-status", "active")
    page.get_by_test_id("fix-propose-title").fill("Repair Office")
    page.get_by_test_id("fix-propose-submit").click()
    second = page.locator('[data-testid="fix-card"][data-status="proposed"]').filter(has_text="Repair Office")
    expect(second).to_have_count(1)
    second_id = second.get_attribute("data-fix-id")
    activate = page.get_by_test_id(f"fix-set-{second_id}-active")
    expect(activate).to_be_enabled()

    activate.click()

    expect(page.get_by_test_id(f"fix-error-{second_id}")).to_contain_text(
        "“Recreate the Outlook profile” is being tried")


def test_an_answer_for_another_session_is_not_shown_and_is_reported(page, engineer, log_in, caplog):
    log_in(engineer)
    start_assistant_session(page)
    session = TroubleshootingSession.objects.for_account(engineer.account).get()
    stranger = str(uuid.uuid4())
    # As if the page had been left showing another session while this one's answer arrives.
    page.get_by_test_id("session-page").evaluate("(root, id) => root.setAttribute('data-session-id', id)", stranger)
    messages_before = page.get_by_test_id("message-tech").count()

    with caplog.at_level(logging.WARNING, logger="sessions_app.client"):
        with page.expect_response("**/sessions/client-report/") as report:
            page.get_by_test_id("composer-note").check()
            page.get_by_test_id("composer-input").fill("A note meant for this session")
            page.get_by_test_id("composer-send").click()
        assert report.value.status == 204

    expect(page.get_by_test_id("session-mismatch-notice")).to_be_visible()
    expect(page.get_by_test_id("session-mismatch-notice")).to_contain_text("was not shown on this page")
    expect(page.get_by_test_id("message-tech")).to_have_count(messages_before)
    expect(page.get_by_test_id("message-note")).to_have_count(0)
    assert Message.objects.for_account(session.account).filter(session=session, kind=MessageKind.NOTE).exists()
    logged = [record.getMessage() for record in caplog.records if record.name == "sessions_app.client"]
    assert any(stranger in line and str(session.pk) in line for line in logged)
