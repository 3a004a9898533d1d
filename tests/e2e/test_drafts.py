"""What a technician types into a session's free-text fields is not lost to a login that
ended, a reload or a swap: each field marked data-draft keeps its text in the tab's
sessionStorage until the form is sent and accepted (static/js/app.js, "drafts")."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.sessions_app.factories import FlowSessionFactory, SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)

LOG = "Event 1000, Application Error: OUTLOOK.EXE 16.0.17928, faulting module olmapi32.dll"


def test_a_message_sent_after_the_login_ended_is_back_in_the_composer_after_signing_in(
        page, context, northwind, engineer, log_in, live_server):
    # Before: the send answered with the login page, and the composer came back empty.
    session = SessionFactory(account=northwind, owner=engineer, title="Outlook crashes on start")
    log_in(engineer)
    page.goto(f"/sessions/{session.pk}/")
    page.get_by_test_id("composer-input").fill(LOG)

    context.clear_cookies(name=settings.SESSION_COOKIE_NAME)  # signed out elsewhere, or expired
    page.get_by_test_id("composer-send").click()
    page.wait_for_url(re.compile(r"/login/"))
    page.get_by_test_id("login-email").fill(engineer.email)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{live_server.url}/sessions/{session.pk}/")

    composer = page.get_by_test_id("composer-input")
    expect(composer).to_have_value(LOG)
    page.get_by_test_id("composer-send").click()
    expect(page.get_by_test_id("message-tech")).to_contain_text("olmapi32.dll")
    expect(composer).to_have_value("")
    page.reload()  # sent and accepted: the draft is gone
    expect(page.get_by_test_id("composer-input")).to_have_value("")


@pytest.mark.parametrize(("factory", "opener", "field"), [
    (SessionFactory, None, "composer-input"),
    (FlowSessionFactory, None, "note-input"),
    (SessionFactory, "resolve-open", "resolve-note"),
])
def test_a_draft_survives_a_reload(page, northwind, engineer, log_in, factory, opener, field):
    session = factory(account=northwind, owner=engineer, title="Outlook crashes on start")
    other = factory(account=northwind, owner=engineer, title="VPN drops")
    log_in(engineer)

    def show(path):
        page.goto(path)
        if opener:
            page.get_by_test_id(opener).click()
        return page.get_by_test_id(field)

    show(f"/sessions/{session.pk}/").fill(LOG)
    expect(show(f"/sessions/{session.pk}/")).to_have_value(LOG)
    expect(show(f"/sessions/{other.pk}/")).to_have_value("")  # a draft belongs to its session's page
