"""A form the browser posts itself is sent once (static/js/app.js): a double-click on "Start"
or on "Turn into a draft runbook" used to start two sessions or make two drafts. The server
is slowed a little so the second click lands while the first request is in flight."""

import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

import sessions_app.services
from sessions_app.models import Flow, SessionStatus, TroubleshootingSession
from tests.sessions_app.factories import SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def slowed(monkeypatch, name):
    original = getattr(sessions_app.services, name)

    def slowly(*args, **kwargs):
        time.sleep(0.5)
        return original(*args, **kwargs)

    monkeypatch.setattr(sessions_app.services, name, slowly)


def click_twice(button):
    # A person's second click 150 ms after the first, while the first request is still on the
    # (slowed) server. Two clicks in the same instant are merged by the browser itself.
    button.evaluate("button => { button.click(); setTimeout(() => button.click(), 150); }")


def test_a_double_click_on_start_starts_one_session(page, engineer, log_in, monkeypatch):
    slowed(monkeypatch, "session_create")
    log_in(engineer)
    page.get_by_test_id("nav-new-session").click()
    page.get_by_test_id("new-problem").fill("Printer at reception shows offline")
    click_twice(page.get_by_test_id("new-submit"))
    expect(page.get_by_test_id("session-title")).to_have_text("Printer at reception shows offline")
    assert TroubleshootingSession.unscoped.filter(owner=engineer).count() == 1


def test_a_double_click_on_draft_runbook_makes_one_draft(page, northwind, admin_user, engineer, log_in, monkeypatch):
    session = SessionFactory(account=northwind, owner=engineer, title="Scanner offline", status=SessionStatus.RESOLVED,
                             resolution="Reinstalled the TWAIN driver.", resolved_at=timezone.now())
    slowed(monkeypatch, "flow_draft_from_session")
    log_in(admin_user)
    page.goto(f"/sessions/{session.pk}/")
    click_twice(page.get_by_test_id("draft-runbook"))
    expect(page.get_by_text("Draft runbook “Draft: Scanner offline”")).to_be_visible()
    assert Flow.objects.owned_by(northwind).filter(name="Draft: Scanner offline").count() == 1
