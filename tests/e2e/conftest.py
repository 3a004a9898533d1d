"""Browser tests: Playwright driving Debian's Chromium against a live Django server.

They run as their own pytest process (``make test`` runs ``pytest tests/e2e`` after the rest):
sync Playwright drives its own event loop, which cannot share a process with the
pytest-asyncio tests. Under xdist each worker gets its own live server (random port), its
own test database and its own browser.

Two servers, by what a test needs:

- ``live_server`` (pytest-django's threaded WSGI server, in this process) for pages that need
  no websocket. ``base_url`` and ``page`` point at it.
- ``asgi_server``: ONE Daphne subprocess per worker (session scope), serving the real ASGI
  application (HTTP and websockets) on a free port, for the live Escalation Mode pages. It
  uses this worker's test database (the SQLite file, or PostgreSQL's test_<name>_gwN) via
  DATABASE_URL, so a test creates its data with the ORM (``transaction=True``: committed)
  and the server sees it. Both browsers of a test talk to this one process, so the
  in-memory channel layer carries every event between them; REDIS_URL is not passed on
  (tests/realtime/test_cross_process.py covers Redis). Changes a test wants broadcast must
  go through the server (the browser, or its API): a service called in this process
  publishes to this process's layer, which no browser hears. ``browser_as(user)`` opens a
  new browser context on it, signed in through the login form.

  Why not ``ChannelsLiveServerTestCase``: it is a unittest class that starts Daphne with
  multiprocessing and swaps the test database per class; a plain subprocess
  (``tests/servers.py``) is the same server, fits pytest fixtures and xdist, and shares its
  start-up code with the cross-process Redis test.

Playwright's own Chromium download does not work on these machines; ``playwright
install`` is not needed. Debian's ``chromium`` package is used instead (TOOLCHAIN.md).
"""

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connections

from tests.factories import PASSWORD
from tests.servers import DaphneServer

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


# Every page of every browser test reports Content-Security-Policy violations (the event,
# forwarded to the console, and Chromium's own console error); a test that saw one fails.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"} `
                + `at ${event.sourceFile || location.href}:${event.lineNumber}`);
});
"""


def watch_csp(context, violations):
    """Record every CSP violation any page of ``context`` reports into ``violations``."""
    context.add_init_script(CSP_LISTENER)

    def on_console(message):
        text = message.text
        if message.type == "error" and ("CSP violation" in text or "Content Security Policy" in text):
            violations.append(f"{message.location.get('url', '?')}: {text}")

    context.on("console", on_console)


@pytest.fixture
def csp_violations():
    violations = []
    yield violations
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def context(context, csp_violations):
    """pytest-playwright's context, watched for CSP violations."""
    watch_csp(context, csp_violations)
    return context


@pytest.fixture
def log_in(page, live_server):
    """Sign a user in through the login form, as a person would, and land on the home page."""

    def _log_in(user, password=PASSWORD):
        page.goto("/login/")
        page.get_by_test_id("login-email").fill(user.email)
        page.get_by_test_id("login-password").fill(password)
        page.get_by_test_id("login-submit").click()
        # wait_for_url waits for the load event: the deferred scripts (htmx, live.js, the
        # palette) have run, so the next step does not race them.
        page.wait_for_url(f"{live_server.url}/")
        return page

    return _log_in


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, django_db_blocker):
    """Daphne serving this worker's test database (see the module docstring). Stopped
    before pytest-django drops the database, which depends on no open connection."""
    with django_db_blocker.unblock(), DaphneServer() as server:
        yield server


@pytest.fixture
def browser_as(browser, asgi_server, csp_violations):
    """``browser_as(user, viewport=...)``: a page in a browser context of its own (its own
    cookies, as another person's computer), signed in on the ASGI server."""
    contexts = []

    def _browser_as(user, *, viewport=None, password=PASSWORD):
        context = browser.new_context(base_url=asgi_server.url, viewport=viewport or {"width": 1280, "height": 900})
        contexts.append(context)
        watch_csp(context, csp_violations)
        page = context.new_page()
        page.goto("/login/")
        page.get_by_test_id("login-email").fill(user.email)
        page.get_by_test_id("login-password").fill(password)
        page.get_by_test_id("login-submit").click()
        page.wait_for_url(f"{asgi_server.url}/")  # up to the load event, as in log_in
        return page

    yield _browser_as
    for context in contexts:
        context.close()


@pytest.fixture
def off_loop():
    """``off_loop(fn, *args, **kwargs)``: run ``fn`` in a thread of its own and return its result.

    For services called by the test itself: they publish after commit with ``async_to_sync``,
    which refuses to run in a thread where an event loop runs (Playwright's). The thread's
    database connection is closed afterwards, so the test database can still be dropped."""

    def _off_loop(fn, *args, **kwargs):
        def run():
            try:
                return fn(*args, **kwargs)
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(run).result()

    return _off_loop
