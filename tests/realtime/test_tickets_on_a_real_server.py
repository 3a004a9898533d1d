"""Tickets through a real Daphne process, as a browser page on another origin uses them: get a
ticket over HTTP with a token, open ``/ws/v1/queue/?ticket=`` with that page's ``Origin``; the
refusals arrive as close codes after the handshake; revoking the token closes the socket; and
neither the ticket nor the socket's query string is in anything the server logs, at its most
verbose (``daphne -v 2``, our loggers at DEBUG)."""

import json

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from accounts import services as account_services
from accounts.models import Role
from tests.factories import AccountFactory, UserFactory
from tests.servers import DaphneServer
from tests.sessions_app.factories import SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)

APP = "http://app.northwind.test:5173"  # the separate frontend's origin
WAIT = 10  # seconds: a bound, never a sleep


@pytest.fixture
def server():
    with DaphneServer(extra_env={"CORS_ALLOWED_ORIGINS": APP, "LOG_LEVEL": "DEBUG"},
                      daphne_args=("-v", "2")) as running:
        yield running


@pytest.fixture
def people():
    account = AccountFactory()
    senior = UserFactory(account=account, role=Role.ENGINEER)
    outsider = UserFactory(account=AccountFactory(), role=Role.ENGINEER)
    session = SessionFactory(account=account, owner=senior)
    return {"senior": senior, "outsider": outsider, "session": session,
            "key": account_services.api_token_create(user=senior).key,
            "outsider_key": account_services.api_token_create(user=outsider).key}


def ticket(server, key) -> str:
    response = httpx.post(f"{server.url}/api/v1/realtime/ticket/", json={}, timeout=WAIT,
                          headers={"Authorization": f"Token {key}", "Origin": APP})
    assert response.status_code == 201, response.text
    assert response.headers["access-control-allow-origin"] == APP
    return response.json()["ticket"]


def open_ws(server, path, *, origin=APP):
    return connect(f"{server.ws_url}{path}", open_timeout=WAIT, origin=origin)


def close_code(ws) -> int:
    """The code the server closed ``ws`` with (it must close, within the bound)."""
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            ws.recv(timeout=WAIT)
    return closed.value.rcvd.code


def test_a_page_on_an_allowed_origin_opens_the_queue_with_a_ticket_and_never_again(server, people):
    secret = ticket(server, people["key"])
    with open_ws(server, f"/ws/v1/queue/?ticket={secret}") as ws:
        hello = json.loads(ws.recv(timeout=WAIT))
        assert hello["event"] == "hello" and hello["account"] == str(people["senior"].account_id)
        ws.send(json.dumps({"type": "ping"}))
        assert json.loads(ws.recv(timeout=WAIT)) == {"event": "pong"}
    with open_ws(server, f"/ws/v1/queue/?ticket={secret}") as reused:
        assert close_code(reused) == 4401


def test_refusals_reach_the_client_as_close_codes(server, people):
    with open_ws(server, "/ws/v1/queue/?ticket=" + ticket(server, people["key"]),
                 origin="https://evil.example") as foreign:
        assert close_code(foreign) == 4403
    with open_ws(server, "/ws/v1/queue/") as anonymous:
        assert close_code(anonymous) == 4401
    path = f"/ws/v1/sessions/{people['session'].pk}/?ticket=" + ticket(server, people["outsider_key"])
    with open_ws(server, path) as not_theirs:
        assert close_code(not_theirs) == 4404


def test_revoking_the_token_closes_the_socket_its_ticket_opened(server, people):
    with open_ws(server, "/ws/v1/queue/?ticket=" + ticket(server, people["key"])) as ws:
        assert json.loads(ws.recv(timeout=WAIT))["event"] == "hello"
        revoked = httpx.post(f"{server.url}/api/v1/auth/token/revoke/", json={}, timeout=WAIT,
                             headers={"Authorization": f"Token {people['key']}"})
        assert revoked.status_code == 200, revoked.text
        assert close_code(ws) == 4401


def test_the_ticket_is_never_logged(server, people):
    secrets = [ticket(server, people["key"]) for _ in range(3)]
    with open_ws(server, f"/ws/v1/queue/?ticket={secrets[0]}") as ws:
        assert json.loads(ws.recv(timeout=WAIT))["event"] == "hello"
    with open_ws(server, f"/ws/v1/queue/?ticket={secrets[0]}") as reused:
        assert close_code(reused) == 4401
    with open_ws(server, f"/ws/v1/queue/?ticket={secrets[1]}", origin="https://evil.example") as foreign:
        assert close_code(foreign) == 4403
    with open_ws(server, f"/ws/v1/sessions/{people['session'].pk}/?ticket={secrets[2]}") as session_ws:
        assert json.loads(session_ws.recv(timeout=WAIT))["event"] == "hello"
    # The log did capture these handshakes (so it would show a ticket if one were written) ...
    log = server.log_text()
    assert "WSCONNECT /ws/v1/queue/" in log and "websocket refused" in log
    assert "POST /api/v1/realtime/ticket/" in log
    # ... and holds neither a ticket nor a socket's query string.
    for secret in secrets:
        assert secret not in log
        assert secret[:12] not in log
    assert "ticket=" not in log
