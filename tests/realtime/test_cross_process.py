"""Escalation Mode across server processes (docs/architecture.md#realtime-events): two Daphne processes share Redis,
an escalation made through one reaches websockets held open on the other.

Real processes, a real websocket client (``websockets``) and the REST API: nothing here runs
inside the test's own event loop or channel layer. CI sets REDIS_URL; without it there is no
shared layer to test, so the test is skipped with that reason.
"""

import json
import time
import urllib.request

import pytest
from django.conf import settings
from websockets.sync.client import connect

from accounts import services as account_services
from accounts.models import Role
from tests.factories import AccountFactory, UserFactory
from tests.servers import DaphneServer
from tests.sessions_app.factories import SessionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis shared by two processes: set REDIS_URL "
                                                      "(CI does)"),
]

WAIT = 10  # seconds: the bound on delivery; it normally takes milliseconds


@pytest.fixture
def two_servers():
    """Daphne A and B on their own ports, both on the test database and on Redis."""
    servers = [DaphneServer(redis_url=settings.REDIS_URL).start() for _ in range(2)]
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


def api_post(server, path, token, body):
    request = urllib.request.Request(f"{server.url}{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=WAIT) as response:  # noqa: S310 (a local test server)
        return response.status, json.loads(response.read())


def socket_on(server, path, token):
    return connect(f"{server.ws_url}{path}", open_timeout=WAIT,
                   additional_headers={"Authorization": f"Token {token}", "Origin": server.url})


def next_event(ws, deadline):
    """The next handoff event, skipping anything else, within the deadline."""
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, "no handoff event arrived in time"
        message = json.loads(ws.recv(timeout=remaining))
        if message.get("event", "").startswith("handoff."):
            return message


def test_an_escalation_through_one_process_reaches_sockets_on_the_other(two_servers):
    a, b = two_servers
    account = AccountFactory()
    junior = UserFactory(account=account, role=Role.ENGINEER, display_name="Jamie Junior")
    senior = UserFactory(account=account, role=Role.ENGINEER, display_name="Sam Senior")
    session = SessionFactory(account=account, owner=junior, title="VPN drops every 10 minutes")
    junior_key = account_services.api_token_create(user=junior).key
    senior_key = account_services.api_token_create(user=senior).key

    with socket_on(b, "/ws/v1/queue/", senior_key) as queue, \
            socket_on(b, f"/ws/v1/sessions/{session.pk}/", junior_key) as session_socket:
        assert json.loads(queue.recv(timeout=WAIT))["event"] == "hello"
        assert json.loads(session_socket.recv(timeout=WAIT))["event"] == "hello"

        status, handoff = api_post(a, f"/api/v1/sessions/{session.pk}/handoff/", junior_key,
                                   {"note": "Stuck after the reinstall", "urgency": "high"})
        assert status == 201
        deadline = time.monotonic() + WAIT
        on_queue, on_session = next_event(queue, deadline), next_event(session_socket, deadline)

        for event in (on_queue, on_session):
            assert event["event"] == "handoff.created"
            assert event["handoff"]["id"] == handoff["id"]
            assert event["handoff"]["urgency"] == "high"

        # And back the other way: a claim through B reaches the junior's socket, also on B,
        # while a queue socket on A hears it too.
        with socket_on(a, "/ws/v1/queue/", senior_key) as queue_on_a:
            assert json.loads(queue_on_a.recv(timeout=WAIT))["event"] == "hello"
            status, _ = api_post(b, f"/api/v1/handoffs/{handoff['id']}/claim/", senior_key, {})
            assert status == 200
            deadline = time.monotonic() + WAIT
            claimed_on_a, claimed_on_b = next_event(queue_on_a, deadline), next_event(session_socket, deadline)
        assert claimed_on_a["event"] == claimed_on_b["event"] == "handoff.claimed"
        assert claimed_on_b["handoff"]["claimed_by"]["name"] == "Sam Senior"
        assert claimed_on_a["seq"] == claimed_on_b["seq"] > on_queue["seq"]
