"""What a person can do in the moments before a page's scripts have wired it up.

Buttons that only a script can make work (the command palette's, the ticket note's Copy)
are served disabled and enabled by that script, so a click that came too early is visibly
refused, not silently lost. And an element htmx swaps in is wired in the same task as the
swap (no settle delay, templates/base.html): keystrokes typed into a just-swapped filter
filter."""

import re

import pytest
from playwright.sync_api import expect

from tests.sessions_app.factories import SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def hold(page, script):
    """Hold back the request for ``static/js/<script>`` until the returned ``release()``."""
    held = []
    page.route(re.compile(rf"/static/js/{re.escape(script)}(\?.*)?$"), lambda route: held.append(route))

    def release():
        assert held, f"the page never asked for {script}"
        for route in held:
            route.continue_()

    return release


def test_the_palette_button_is_disabled_until_its_script_runs(page, engineer, log_in):
    log_in(engineer)
    release = hold(page, "palette.js")
    page.goto("/sessions/", wait_until="commit")

    button = page.get_by_test_id("palette-open")
    expect(button).to_be_disabled()
    release()
    expect(button).to_be_enabled()
    button.click()
    expect(page.get_by_test_id("palette-input")).to_be_visible()


def test_the_copy_button_is_disabled_until_its_script_runs(page, northwind, engineer, log_in):
    session = SessionFactory(account=northwind, owner=engineer, title="VPN drops every ten minutes")
    log_in(engineer)
    release = hold(page, "sessions.js")
    page.goto(f"/sessions/{session.pk}/", wait_until="commit")

    copy = page.get_by_test_id("preview-copy")
    expect(copy).to_be_disabled()
    release()
    expect(copy).to_be_enabled()
    copy.click()
    expect(page.get_by_test_id("preview-copied")).not_to_be_empty()


def test_typing_into_a_filter_the_moment_it_is_swapped_in_filters(page, northwind, engineer, log_in):
    SessionFactory(account=northwind, owner=engineer, title="Outlook hangs at Loading profile")
    log_in(engineer)
    page.goto("/sessions/?mode=flow")
    expect(page.get_by_test_id("session-card")).to_have_count(0)
    # Type into the tab's new filter input as soon as it is in the page: a MutationObserver's
    # callback runs right after the task that swapped it in, before any timer could.
    page.evaluate("""() => {
        const original = document.querySelector('[data-testid=history-filter-q]');
        new MutationObserver((records, observer) => {
            const input = document.querySelector('[data-testid=history-filter-q]');
            if (!input || input === original) return;
            observer.disconnect();
            input.value = 'no such words';
            input.dispatchEvent(new Event('input', {bubbles: true}));
        }).observe(document.body, {childList: true, subtree: true});
    }""")

    page.get_by_test_id("history-tab-assistant").click()

    expect(page).to_have_url(re.compile(r"[?&]q=no(%20|\+)such(%20|\+)words"))
    expect(page.get_by_test_id("history-empty")).to_be_visible()


def test_a_filter_typed_while_the_page_loads_filters_once_it_is_ready(page, northwind, engineer, log_in):
    SessionFactory(account=northwind, owner=engineer, title="Outlook hangs at Loading profile")
    log_in(engineer)
    release = hold(page, "htmx.min.js")
    page.goto("/sessions/", wait_until="commit")
    expect(page.get_by_test_id("session-card")).to_have_count(1)

    page.get_by_test_id("history-filter-q").fill("no such words")  # htmx has not wired the form yet
    release()

    expect(page.get_by_test_id("history-empty")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]q=no(%20|\+)such(%20|\+)words"))


ANNOUNCED_INPUTS = """
window.announcedInputs = [];
document.addEventListener("input", function (event) {
  if (!event.isTrusted) window.announcedInputs.push(event.target.getAttribute("data-testid") || event.target.tagName);
}, true);
"""


@pytest.mark.parametrize("query", ["", "?mode=flow&status=resolved&owner=all&q=printer&client=Fabrikam"])
def test_a_page_left_alone_while_it_loads_sends_no_search(page, northwind, engineer, log_in, query):
    # Before: the Filter button (no defaultValue) counted as changed, so every History page
    # re-sent its search 350 ms after loading and pushed that URL, over a tab clicked meanwhile.
    SessionFactory(account=northwind, owner=engineer, title="Outlook hangs at Loading profile")
    log_in(engineer)
    page.add_init_script(ANNOUNCED_INPUTS)
    page.goto(f"/sessions/{query}")  # returns after the load event: the catch-up has run
    assert page.evaluate("window.announcedInputs") == []
