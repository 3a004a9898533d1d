"""Escalation Mode in two browsers at once: the junior's and the senior's, each with its own
login, both on one Daphne process (``asgi_server``), updating over websockets without reload."""


import pytest
from playwright.sync_api import expect

from handoffs import services
from handoffs.models import Handoff
from tests.e2e.pages import live, remember_this_page, was_not_reloaded
from tests.sessions_app.factories import FactFactory, FixFactory, SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)



@pytest.fixture
def session(northwind, engineer):
    s = SessionFactory(account=northwind, owner=engineer, title="VPN drops every 10 minutes",
                       client_name="Harbor Dental", ticket_ref="T-1042")
    FactFactory(session=s, key="vpn_client", value="GlobalProtect 6.1")
    FixFactory(session=s, title="Reinstall the VPN client", status="failed", outcome_note="same drops")
    return s


def test_a_junior_escalates_and_the_seniors_open_queue_shows_it_without_reload(session, engineer, senior,
                                                                               browser_as):
    queue = browser_as(senior)
    queue.goto("/escalations/")
    expect(queue.get_by_test_id("queue-empty")).to_be_visible()
    live(queue)
    remember_this_page(queue)

    junior = browser_as(engineer)
    junior.goto(f"/sessions/{session.pk}/")
    junior.get_by_test_id("escalate-open").click()
    junior.get_by_test_id("escalate-note").fill("Drops persist after the reinstall; logs attached")
    junior.get_by_test_id("escalate-urgency").select_option("high")
    junior.get_by_test_id("escalate-submit").click()
    expect(junior.get_by_test_id("escalation-status")).to_contain_text("waiting for a senior")

    card = queue.get_by_test_id("queue-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("VPN drops every 10 minutes")
    expect(card).to_contain_text("Drops persist after the reinstall")
    expect(card.get_by_test_id("queue-card-urgency")).to_have_text("High")
    expect(card.get_by_test_id("queue-card-pickup")).to_be_visible()
    expect(queue.get_by_test_id("nav-escalations-count")).to_have_text("1")
    assert was_not_reloaded(queue)
    age = card.get_by_test_id("queue-card-age")
    first = age.inner_text()
    expect(age).not_to_have_text(first, timeout=3000)  # it ticks
    queue.screenshot(path="/tmp/rf-e2e-queue-new-escalation.png")
    junior.screenshot(path="/tmp/rf-e2e-session-waiting.png")


def test_the_senior_picks_up_and_the_juniors_page_says_who_without_reload(session, engineer, senior, browser_as,
                                                                          asgi_server, off_loop):
    handoff = off_loop(services.handoff_escalate, session=session, actor=engineer, note="Stuck", urgency="critical")
    junior = browser_as(engineer)
    junior.goto(f"/sessions/{session.pk}/")
    expect(junior.get_by_test_id("escalation-status")).to_contain_text("waiting for a senior")
    live(junior)
    remember_this_page(junior)

    queue = browser_as(senior)
    queue.goto("/escalations/")
    queue.get_by_test_id("queue-card-pickup").click()

    expect(queue).to_have_url(f"{asgi_server.url}/escalations/{handoff.pk}/")
    expect(queue.get_by_test_id("handoff-summary")).to_contain_text("Reinstall the VPN client (failed: same drops)")
    expect(queue.get_by_test_id("handoff-claimed-by")).to_have_text("Sam Senior")
    expect(junior.get_by_test_id("escalation-claimed-by")).to_have_text("Picked up by Sam Senior")
    assert was_not_reloaded(junior)
    queue.screenshot(path="/tmp/rf-e2e-handoff-context.png", full_page=True)
    junior.screenshot(path="/tmp/rf-e2e-session-picked-up.png")

    # The senior hands it back; the junior reads the note, still without reloading.
    live(queue)
    queue.get_by_test_id("handoff-return-note").fill("Update the NIC driver to 23.5, then retry")
    queue.get_by_test_id("handoff-return").click()
    expect(queue.get_by_test_id("handoff-state")).to_contain_text("Returned")
    expect(junior.get_by_test_id("escalation-return-note")).to_have_text("Update the NIC driver to 23.5, then retry")
    assert was_not_reloaded(junior)
    assert Handoff.unscoped.get(pk=handoff.pk).status == "returned"
