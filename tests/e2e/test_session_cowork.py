"""One live session for both sides: a junior and a senior of one account work in the same
session page in two browsers, and each sees the other's work without reloading
(``session.changed`` on the session socket, sessions_app/events.py)."""

import re

import pytest
from playwright.sync_api import expect

from handoffs import services
from tests.e2e.pages import live, remember_this_page, was_not_reloaded
from tests.sessions_app.factories import SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)



@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer, title="Outlook hangs at Loading profile",
                          client_name="Harbor Dental", ticket_ref="T-2207")


def test_a_junior_and_a_senior_see_each_others_messages_facts_and_fixes_without_reloading(
        session, engineer, senior, browser_as, off_loop):
    handoff = off_loop(services.handoff_escalate, session=session, actor=engineer, note="Profile rebuild did not help")
    off_loop(services.handoff_claim, handoff=handoff, actor=senior)

    junior = browser_as(engineer)
    junior.goto(f"/sessions/{session.pk}/")
    live(junior)
    remember_this_page(junior)
    sam = browser_as(senior)
    sam.goto(f"/sessions/{session.pk}/")
    live(sam)
    remember_this_page(sam)
    expect(sam.get_by_test_id("claim-actions")).to_contain_text("You have this escalation")

    # The junior starts typing; the senior's work must not wipe it.
    junior.get_by_test_id("composer-input").fill("Half-typed: the OST is 48 GB")

    sam.get_by_test_id("composer-input").fill("Checked the event log: MAPI error 0x8004010F")
    sam.get_by_test_id("composer-send").click()
    expect(junior.get_by_test_id("transcript")).to_contain_text("MAPI error 0x8004010F")

    sam.get_by_test_id("fact-add-key").fill("outlook_build")
    sam.get_by_test_id("fact-add-value").fill("16.0.17928")
    sam.get_by_test_id("fact-add-submit").click()
    expect(junior.get_by_test_id("facts-list")).to_contain_text("16.0.17928")

    sam.get_by_test_id("fix-propose-open").click()
    sam.get_by_test_id("fix-propose-title").fill("Rebuild the OST with a new profile")
    sam.get_by_test_id("fix-propose-submit").click()
    expect(junior.get_by_test_id("fixes-list")).to_contain_text("Rebuild the OST with a new profile")
    expect(junior.locator("#preview-body")).to_contain_text("16.0.17928")
    expect(junior.get_by_test_id("composer-input")).to_have_value("Half-typed: the OST is 48 GB")

    # And the other way round.
    # A counter on <html> (an attribute the test can await: the CSP forbids wait_for_function's eval).
    junior.evaluate("document.documentElement.dataset.refreshes = '0'; "
                    "document.addEventListener('rf:session-refreshed', function () { "
                    "var d = document.documentElement.dataset; d.refreshes = String(Number(d.refreshes) + 1); })")
    junior.get_by_test_id("composer-send").click()
    expect(sam.get_by_test_id("transcript")).to_contain_text("Half-typed: the OST is 48 GB")
    # Each composer was cleared by its own send and stays empty after the other's events.
    # The assistant's reply, announced to every watcher.
    expect(junior.locator("html")).to_have_attribute("data-refreshes", re.compile(r"^[1-9]"))
    expect(junior.get_by_test_id("composer-input")).to_have_value("")
    expect(sam.get_by_test_id("composer-input")).to_have_value("")
    assert was_not_reloaded(junior) and was_not_reloaded(sam)
    junior.screenshot(path="/tmp/rf-e2e-cowork-junior.png", full_page=True)
    sam.screenshot(path="/tmp/rf-e2e-cowork-senior.png", full_page=True)


def test_pick_up_return_and_resolve_change_the_juniors_whole_page_in_place(session, engineer, senior,
                                                                            browser_as, asgi_server):
    junior = browser_as(engineer)
    junior.goto(f"/sessions/{session.pk}/")
    live(junior)
    junior.get_by_test_id("escalate-open").click()
    junior.get_by_test_id("escalate-note").fill("Profile rebuild did not help")
    junior.get_by_test_id("escalate-submit").click()
    expect(junior.get_by_test_id("escalation-status")).to_contain_text("waiting for a senior")
    live(junior)
    remember_this_page(junior)

    # Pick up: the header says who has it and the status badge stays Escalated.
    sam = browser_as(senior)
    sam.goto("/escalations/")
    sam.get_by_test_id("queue-card-pickup").click()
    expect(sam.get_by_test_id("handoff-claimed-by")).to_have_text("Sam Senior")
    expect(junior.get_by_test_id("session-assignee")).to_have_text("Sam Senior")
    expect(junior.get_by_test_id("escalation-claimed-by")).to_have_text("Picked up by Sam Senior")
    expect(junior.get_by_test_id("session-status")).to_have_text("Escalated")

    # The senior's queue card says "You have this" and Continue leads into the session.
    sam.goto("/escalations/")
    expect(sam.get_by_test_id("queue-card-mine")).to_contain_text("You have this")
    sam.get_by_test_id("queue-card-continue").click()
    expect(sam).to_have_url(f"{asgi_server.url}/sessions/{session.pk}/#composer")

    # Return with a coaching note, from next to the composer.
    sam.get_by_test_id("claim-return-note").fill("Run scanpst on the OST, then retry")
    sam.get_by_test_id("claim-return").click()
    expect(junior.get_by_test_id("session-status")).to_have_text("Active")
    expect(junior.get_by_test_id("session-assignee")).to_have_count(0)
    expect(junior.get_by_test_id("escalation-return-note")).to_have_text("Run scanpst on the OST, then retry")
    expect(junior.get_by_test_id("escalation-status")).to_contain_text("Returned to you by Sam Senior")
    expect(sam.get_by_test_id("claim-actions")).to_have_count(0)
    assert was_not_reloaded(junior)
    junior.screenshot(path="/tmp/rf-e2e-cowork-returned-junior.png", full_page=True)

    # Escalate again; picked up again; resolved from the session page: the junior's composer goes.
    junior.get_by_test_id("escalate-open").click()
    junior.get_by_test_id("escalate-note").fill("scanpst found nothing")
    junior.get_by_test_id("escalate-submit").click()
    expect(junior.get_by_test_id("escalation-status")).to_contain_text("waiting for a senior")
    live(junior)
    remember_this_page(junior)
    sam.goto("/escalations/")
    sam.get_by_test_id("queue-card-pickup").click()
    expect(sam.get_by_test_id("handoff-claimed-by")).to_have_text("Sam Senior")
    sam.goto(f"/sessions/{session.pk}/")
    sam.get_by_test_id("claim-resolve-note").fill("Removed a stale delegate mailbox")
    sam.get_by_test_id("claim-resolve").click()
    expect(junior.get_by_test_id("session-status")).to_have_text("Resolved")
    expect(junior.get_by_test_id("session-resolution")).to_contain_text("Removed a stale delegate mailbox")
    expect(junior.get_by_test_id("composer-input")).to_have_count(0)
    expect(junior.get_by_test_id("read-only-notice")).to_contain_text("This session is resolved")
    assert was_not_reloaded(junior)
    junior.screenshot(path="/tmp/rf-e2e-cowork-resolved-junior.png", full_page=True)
    sam.screenshot(path="/tmp/rf-e2e-cowork-resolved-senior.png", full_page=True)


def test_the_nav_count_and_tab_title_follow_the_queue_on_a_page_that_is_not_the_queue(
        session, engineer, senior, browser_as):
    sam = browser_as(senior)  # on the home page
    live(sam)
    expect(sam.get_by_test_id("nav-escalations-count")).to_be_hidden()
    expect(sam.get_by_test_id("home-held-empty")).to_be_visible()

    junior = browser_as(engineer)
    junior.goto(f"/sessions/{session.pk}/")
    junior.get_by_test_id("escalate-open").click()
    junior.get_by_test_id("escalate-note").fill("Stuck on the profile")
    junior.get_by_test_id("escalate-submit").click()

    expect(sam.get_by_test_id("nav-escalations-count")).to_have_text("1")
    expect(sam).to_have_title("(1) Home · ResolutionFlow")

    # Picking it up (in another tab) takes it off the count and onto "Escalations I hold".
    queue = sam.context.new_page()
    queue.goto("/escalations/")
    queue.get_by_test_id("queue-card-pickup").click()
    expect(sam.get_by_test_id("nav-escalations-count")).to_be_hidden()
    expect(sam).to_have_title("Home · ResolutionFlow")
    expect(sam.get_by_test_id("home-held-item")).to_contain_text("Outlook hangs at Loading profile")
    sam.screenshot(path="/tmp/rf-e2e-home-held.png", full_page=True)


def test_an_engineer_is_notified_of_new_escalations_at_or_above_the_chosen_urgency(
        northwind, engineer, senior, browser_as, asgi_server):
    low, high = (SessionFactory(account=northwind, owner=engineer, title=title)
                 for title in ("Mouse lag", "Server down"))
    sam = browser_as(senior)
    sam.context.grant_permissions(["notifications"], origin=asgi_server.url)
    sam.goto("/escalations/")
    sam.get_by_test_id("notify-urgency").select_option("high")
    sam.get_by_test_id("notify-toggle").check()
    expect(sam.get_by_test_id("notify-state")).to_contain_text("On:")
    sam.goto("/")  # remembered in this browser, heard on any page
    live(sam)
    sam.evaluate("window.__notified = []; document.addEventListener('rf:notified', "
                 "function (e) { window.__notified.push(e.detail.session.title); "
                 "document.documentElement.dataset.notified = String(window.__notified.length); })")

    junior = browser_as(engineer)
    for session, urgency in ((low, "low"), (high, "high")):
        junior.goto(f"/sessions/{session.pk}/")
        junior.get_by_test_id("escalate-open").click()
        junior.get_by_test_id("escalate-note").fill("Stuck")
        junior.get_by_test_id("escalate-urgency").select_option(urgency)
        junior.get_by_test_id("escalate-submit").click()
        expect(junior.get_by_test_id("escalation-status")).to_contain_text("waiting for a senior")

    # The low one came first and was not notified: the high one is the first and only notice.
    expect(sam.get_by_test_id("nav-escalations-count")).to_have_text("2")
    expect(sam.locator("html")).to_have_attribute("data-notified", re.compile(r"^[1-9]"))
    assert sam.evaluate("window.__notified") == ["Server down"]
    assert sam.evaluate("JSON.parse(localStorage.getItem('rf.notify'))") == {"on": True, "min": "high"}


def test_the_queues_views_and_search_keep_their_filter_as_escalations_change(
        northwind, engineer, senior, admin_user, browser_as, off_loop):
    first = SessionFactory(account=northwind, owner=engineer, title="Printer jam", client_name="Acme")
    second = SessionFactory(account=northwind, owner=engineer, title="VPN drops", client_name="Harbor Dental")
    off_loop(services.handoff_escalate, session=first, actor=engineer, note="Stuck")

    sam = browser_as(senior)
    sam.goto("/escalations/")
    sam.get_by_test_id("queue-filter-unclaimed").click()
    expect(sam.get_by_test_id("queue-card")).to_have_count(1)
    sam.get_by_test_id("queue-search").fill("harbor")
    sam.get_by_test_id("queue-search-submit").click()
    expect(sam.get_by_test_id("queue-empty")).to_contain_text("matches “harbor”")
    live(sam)

    junior = browser_as(engineer)
    junior.goto(f"/sessions/{second.pk}/")
    junior.get_by_test_id("escalate-open").click()
    junior.get_by_test_id("escalate-note").fill("Drops every ten minutes")
    junior.get_by_test_id("escalate-submit").click()

    # The new escalation matches the search and is unclaimed: it appears; the other one stays out.
    card = sam.get_by_test_id("queue-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("VPN drops")
    card.get_by_test_id("queue-card-pickup").click()
    expect(sam.get_by_test_id("handoff-claimed-by")).to_have_text("Sam Senior")
    sam.goto("/escalations/?show=mine")
    expect(sam.get_by_test_id("queue-card-mine")).to_contain_text("You have this")
    expect(sam.get_by_test_id("queue-card")).to_have_count(1)
    sam.screenshot(path="/tmp/rf-e2e-queue-mine.png", full_page=True)


def test_an_outcome_banner_goes_once_someone_else_moves_the_session_on(session, engineer, senior, browser_as):
    junior = browser_as(engineer)
    junior.goto(f"/sessions/{session.pk}/")
    junior.get_by_test_id("escalate-open").click()
    junior.get_by_test_id("escalate-note").fill("Profile rebuild did not help")
    junior.get_by_test_id("escalate-submit").click()
    banner = junior.get_by_test_id("message")
    expect(banner).to_contain_text("Escalated")
    live(junior)

    sam = browser_as(senior)
    sam.goto("/escalations/")
    sam.get_by_test_id("queue-card-pickup").click()
    expect(sam.get_by_test_id("handoff-summary")).to_be_visible()

    # "Escalated: the seniors see it on the queue" is no longer true: the page says who has it instead.
    expect(junior.get_by_test_id("escalation-status")).to_contain_text("Sam")
    expect(banner).to_have_count(0)
