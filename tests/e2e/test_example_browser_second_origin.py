"""The browser example (examples/browser): a static page served from a second origin signs in
with a token, loads the queue, opens the queue websocket with a ticket and shows an escalation
another person raises through the API while it is open. From an origin the server does not
allow, the API answers cannot be read and the websocket is refused with close code 4403.

Three servers: Daphne (the API and websockets) with ``CORS_ALLOWED_ORIGINS`` set to the first
static server's origin, and two plain static HTTP servers on other ports of 127.0.0.1 serving
examples/browser (another port is another origin), one allowed, one not.
"""

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from accounts.models import ApiToken
from handoffs.models import Handoff
from tests.factories import PASSWORD
from tests.servers import DaphneServer

BROWSER_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "browser"
WAIT_MS = 20_000  # a loaded CI machine; every wait ends as soon as the page gets there

pytestmark = pytest.mark.django_db(transaction=True)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        return None


@pytest.fixture(scope="module")
def static_origins():
    """``{"allowed": origin, "foreign": origin}``: two static servers of examples/browser."""
    servers = []
    for _ in range(2):
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(BROWSER_EXAMPLE)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    ports = [server.server_address[1] for server in servers]
    yield {"allowed": f"http://127.0.0.1:{ports[0]}", "foreign": f"http://127.0.0.1:{ports[1]}"}
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def api_server(static_origins, django_db_setup, django_db_blocker):
    """Daphne on this worker's test database, allowing the first static origin only."""
    cors = {"CORS_ALLOWED_ORIGINS": static_origins["allowed"]}
    with django_db_blocker.unblock(), DaphneServer(extra_env=cors) as server:
        yield server


@pytest.fixture
def new_page(browser):
    contexts = []

    def _new_page():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()


class Api:
    """One person's calls to the API over HTTP, with a token, as another client would make them."""

    def __init__(self, server: DaphneServer, user):
        self.client = httpx.Client(base_url=server.url, timeout=30)
        response = self.client.post("/api/v1/auth/token/", json={"email": user.email, "password": PASSWORD})
        assert response.status_code == 201, response.text
        self.client.headers["Authorization"] = f"Token {response.json()['token']}"

    def post(self, path: str, body: dict | None = None, expect_status: int = 201) -> dict:
        response = self.client.post(path, json=body or {})
        assert response.status_code == expect_status, response.text
        return response.json()

    def escalate(self, title: str) -> dict:
        session = self.post("/api/v1/sessions/", {"mode": "assistant", "title": title, "client_name": "Harbor Dental"})
        return self.post(f"/api/v1/sessions/{session['id']}/handoff/", {"note": f"Stuck on {title}", "urgency": "high"})

    def close(self):
        self.client.close()


@pytest.fixture
def api_as(api_server):
    clients = []

    def _api_as(user) -> Api:
        clients.append(Api(api_server, user))
        return clients[-1]

    yield _api_as
    for client in clients:
        client.close()


def open_example(page, origin: str, api_server: DaphneServer):
    page.goto(f"{origin}/index.html?api={api_server.url}")
    expect(page.get_by_test_id("api-url")).to_have_value(api_server.url)
    return page


def sign_in(page, user):
    page.get_by_test_id("email").fill(user.email)
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("sign-in").click()


def test_a_page_on_an_allowed_origin_shows_the_queue_and_an_escalation_raised_while_it_is_open(
        new_page, api_server, static_origins, api_as, engineer, senior):
    technician = api_as(engineer)
    waiting = technician.escalate("Printer spooler crashes on login")

    page = open_example(new_page(), static_origins["allowed"], api_server)
    sign_in(page, senior)
    expect(page.get_by_test_id("status")).to_have_text(f"Signed in as {senior.display_name} (engineer).",
                                                       timeout=WAIT_MS)
    expect(page.get_by_test_id("socket-state")).to_have_attribute("data-state", "open", timeout=WAIT_MS)
    # The queue as it was when the socket went live, fetched with the token.
    listed = page.get_by_test_id(f"escalation-{waiting['id']}")
    expect(listed).to_contain_text("Printer spooler crashes on login")
    expect(listed).to_have_attribute("data-status", "open")

    # Another person escalates through the API while the page is open: it arrives over the socket.
    arriving = technician.escalate("VPN drops every 10 minutes")
    card = page.get_by_test_id(f"escalation-{arriving['id']}")
    expect(card).to_contain_text("VPN drops every 10 minutes", timeout=WAIT_MS)
    expect(card).to_contain_text(f"from {engineer.display_name}")
    created_seq = Handoff.unscoped.get(pk=arriving["id"]).events.get(kind="created").seq
    expect(page.get_by_test_id("last-seq")).to_have_text(str(created_seq))

    # And its next state too: picked up by someone else through the API.
    api_as(senior).post(f"/api/v1/handoffs/{arriving['id']}/claim/", expect_status=200)
    expect(card).to_have_attribute("data-status", "claimed", timeout=WAIT_MS)
    expect(card).to_contain_text(f"picked up by {senior.display_name}")
    expect(page.get_by_test_id("error")).to_be_hidden()

    # The page's login is a token of its own, named after the origin it came from.
    assert ApiToken.objects.filter(user=senior, name=f"browser example on {static_origins['allowed']}").count() == 1


def test_a_page_on_an_origin_the_server_does_not_allow_cannot_read_the_api(
        new_page, api_server, static_origins, senior):
    page = open_example(new_page(), static_origins["foreign"], api_server)
    sign_in(page, senior)
    foreign = static_origins["foreign"]
    expect(page.get_by_test_id("error")).to_contain_text(
        f"Could not reach {api_server.url} (is it running, and is {foreign} in its CORS_ALLOWED_ORIGINS?)",
        timeout=WAIT_MS)
    expect(page.get_by_test_id("status")).to_have_text("Signed out.")
    # The browser's preflight was refused, so the login itself was never sent.
    assert not ApiToken.objects.filter(user=senior).exists()


@pytest.mark.parametrize(("origin", "state", "close_code"), [
    ("allowed", "open", ""),
    ("foreign", "closed", "4403"),
])
def test_a_ticket_opens_the_queue_socket_only_from_an_allowed_origin(
        new_page, api_server, static_origins, api_as, senior, origin, state, close_code):
    """A valid ticket (got here over the API with a token) in the page's ticket form: live on
    the allowed origin; on another origin the server accepts, then closes with 4403, and the
    page shows the code."""
    ticket = api_as(senior).post("/api/v1/realtime/ticket/")["ticket"]
    page = open_example(new_page(), static_origins[origin], api_server)
    page.get_by_test_id("ticket-summary").click()
    page.get_by_test_id("ticket-input").fill(ticket)
    page.get_by_test_id("ticket-connect").click()
    socket_state = page.get_by_test_id("socket-state")
    expect(socket_state).to_have_attribute("data-state", state, timeout=WAIT_MS)
    expect(socket_state).to_have_attribute("data-close-code", close_code)
    if close_code:
        expect(socket_state).to_have_text("closed (4403): refused: this page's origin is not allowed by the server")
