"""The browser enforces the Content-Security-Policy (issue 8, kind 13), and the watcher every
browser test uses notices a violation (so a page that breaks the policy fails its test)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

INJECT = """() => {
    window.__ran = false;
    const script = document.createElement("script");
    script.textContent = "window.__ran = true";
    document.body.appendChild(script);
}"""


def test_an_injected_inline_script_is_blocked_and_the_watcher_reports_it(page, csp_violations):
    page.goto("/login/")
    with page.expect_console_message(lambda message: "CSP violation" in message.text):
        page.evaluate(INJECT)
    assert page.evaluate("() => window.__ran") is False
    assert any("script-src" in violation for violation in csp_violations)
    csp_violations.clear()  # seen and expected: the test passes


def test_the_pages_of_a_signed_in_engineer_load_without_violations(log_in, engineer, page, csp_violations):
    log_in(engineer)
    for path, testid in [("/sessions/", None), ("/sessions/new/", None), ("/escalations/", None)]:
        response = page.goto(path)
        assert response.status == 200
    expect(page.get_by_test_id("login-submit")).to_have_count(0)
    assert csp_violations == []
