"""Browser tests: Playwright driving Debian's Chromium against a live Django server.

They run as their own pytest process (``make test`` runs ``pytest tests/e2e`` after the rest):
sync Playwright drives its own event loop, which cannot share a process with the
pytest-asyncio tests. Under xdist each worker gets its own live server (random port), its
own test database and its own browser.

The server is pytest-django's ``live_server`` (a threaded WSGI server). It does not speak
websockets: when the live escalation queue gets browser tests, switch this to Channels'
live server (``channels.testing.ChannelsLiveServerTestCase`` / Daphne), which serves HTTP
and websockets from the real ASGI application.

Playwright's own Chromium download does not work on these machines; ``playwright
install`` is not needed. Debian's ``chromium`` package is used instead (TOOLCHAIN.md).
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

# The tests and the live server share one process; Playwright's sync API runs an event loop
# in the test's thread, so Django's async-safety guard would refuse the ORM calls tests make
# (creating personas) while that loop runs.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    # No calls home: the machines reach package registries only, and a stalled
    # background request must not slow a test.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium).")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    """Relative URLs (``page.goto("/login/")``) resolve against this worker's live server.

    Overriding ``base_url`` (which pytest-playwright feeds into ``browser_context_args``)
    also keeps pytest-playwright's own fallback fixture from running: it is a session
    fixture defined as an instance method, which pytest 9 deprecates with a warning, and
    pytest.ini turns warnings into errors."""
    return live_server.url


@pytest.fixture
def log_in(page, live_server):
    """Sign a user in through the login form, as a person would, and land on the home page."""

    def _log_in(user, password=PASSWORD):
        page.goto("/login/")
        page.get_by_test_id("login-email").fill(user.email)
        page.get_by_test_id("login-password").fill(password)
        page.get_by_test_id("login-submit").click()
        expect(page).to_have_url(f"{live_server.url}/")
        return page

    return _log_in
