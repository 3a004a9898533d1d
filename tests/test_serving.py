"""Serving past one process (docs/deploy.md): several Daphne processes on one socket, a bound on
requests (so database connections) in flight per process, and a refused database answered
503 JSON with Retry-After instead of an HTML 500."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from resolutionflow.serving import ConnectionBudget
from tests.servers import ROOT, DaphneServer, free_port


def get(url, headers=None, timeout=10):
    """(status, headers, body) of a GET; error statuses are answers too."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_for_answer(url, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            return get(url, timeout=10)  # a refused database answers after DB_POOL_TIMEOUT (3 s)
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"no answer from {url} within {timeout} s")


def children_of(pid) -> set[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        return {int(child) for child in listing.read().split()}


# ---- the budget of requests in flight ----------------------------------------------------


class HeldApp:
    """An ASGI app whose requests stay in flight until ``release`` is set."""

    def __init__(self):
        self.release = asyncio.Event()
        self.in_flight = 0
        self.most_in_flight = 0
        self.started = asyncio.Event()

    async def __call__(self, scope, receive, send):
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.started.set()
        await self.release.wait()
        self.in_flight -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def call(app, path="/"):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app({"type": "http", "method": "GET", "path": path, "headers": []}, receive, send)
    return sent


async def test_requests_past_the_budget_wait_for_a_turn_instead_of_running():
    held = HeldApp()
    budget = ConnectionBudget(held, limit=3, queue_timeout=30, retry_after=5)
    calls = [asyncio.create_task(call(budget)) for _ in range(10)]
    await held.started.wait()
    await asyncio.sleep(0)  # let every task reach the budget
    assert held.in_flight == 3
    held.release.set()
    answers = await asyncio.gather(*calls)
    assert [answer[0]["status"] for answer in answers] == [200] * 10
    assert held.most_in_flight == 3


async def test_a_request_that_waits_past_the_queue_timeout_is_a_503_json_with_retry_after():
    held = HeldApp()
    budget = ConnectionBudget(held, limit=1, queue_timeout=0.2, retry_after=7)
    first = asyncio.create_task(call(budget))
    await held.started.wait()

    start, body = await call(budget)

    assert start["status"] == 503
    headers = dict(start["headers"])
    assert headers[b"retry-after"] == b"7"
    assert headers[b"content-type"] == b"application/json"
    assert json.loads(body["body"]) == {"detail": "The server is busy. Try again shortly.",
                                        "code": "service_unavailable"}
    held.release.set()
    assert (await first)[0]["status"] == 200
    assert (await call(budget))[0]["status"] == 200  # the turn was given back


async def test_websockets_are_not_counted_against_the_budget():
    passed = []

    async def app(scope, receive, send):
        passed.append(scope["type"])

    budget = ConnectionBudget(app, limit=1, queue_timeout=0.2, retry_after=5)
    await asyncio.gather(*(budget({"type": "websocket"}, None, None) for _ in range(3)))
    assert passed == ["websocket"] * 3


# ---- a refused database ---------------------------------------------------------------------


def start_server_with_refused_database():
    server = DaphneServer.__new__(DaphneServer)
    server.port = free_port()
    server.url = f"http://127.0.0.1:{server.port}"
    server.startup_timeout = 30
    server.daphne_args = ()
    server.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "resolutionflow.settings_test", "DEBUG": "false",
                  "DATABASE_URL": f"postgres://rf:rf@127.0.0.1:{free_port()}/nowhere",
                  "SECRET_KEY": "test-only-key-resolutionflow-" + "d" * 40, "ALLOWED_HOSTS": "127.0.0.1",
                  "SECURE_SSL_REDIRECT": "false", "LOG_LEVEL": "CRITICAL", "RETRY_AFTER_SECONDS": "9"}
    server.env.pop("REDIS_URL", None)
    server.process = None
    server.log = None
    return server.start()


def test_a_refused_database_connection_is_a_503_json_with_retry_after_on_api_and_pages():
    server = start_server_with_refused_database()
    try:
        status, _, body = wait_for_answer(f"{server.url}/healthz", server.process)
        assert status == 503  # the server is up; its database is not

        api_status, api_headers, api_body = get(f"{server.url}/api/v1/sessions/",
                                                headers={"Authorization": "Token abc"})
        page_status, page_headers, page_body = get(f"{server.url}/sessions/",
                                                   headers={"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345"})
    finally:
        server.stop()

    for status, headers, body in ((api_status, api_headers, api_body), (page_status, page_headers, page_body)):
        assert status == 503
        assert headers["Retry-After"] == "9"
        assert headers["Content-Type"] == "application/json"
        assert json.loads(body) == {"detail": "The database is unavailable. Try again shortly.",
                                    "code": "service_unavailable"}


# ---- several processes on one socket -----------------------------------------------------


def _serve(port: int, processes: int = 2) -> subprocess.Popen:
    from tests.servers import database_url

    env = {**os.environ, "WEB_CONCURRENCY": str(processes), "DJANGO_SETTINGS_MODULE": "resolutionflow.settings_test",
           "DATABASE_URL": database_url(), "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1",
           "SECRET_KEY": "test-only-key-resolutionflow-" + "d" * 40, "SECURE_SSL_REDIRECT": "false",
           "LOG_LEVEL": "WARNING"}
    env.pop("REDIS_URL", None)
    return subprocess.Popen([sys.executable, str(ROOT / "scripts" / "serve"), "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _stop(supervisor: subprocess.Popen) -> int:
    supervisor.send_signal(signal.SIGTERM)
    return supervisor.wait(timeout=30)


def _listening_inodes(port: int) -> set[str]:
    """Inodes of the TCP sockets listening on ``port`` (``/proc/net/tcp``, state 0A)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(f":{port:04X}") and fields[3] == "0A":
            found.add(fields[9])
    return found


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for name in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{name}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    return inodes


def _tcp_sockets(pid: int) -> int:
    """Open sockets of a process (its listening socket included)."""
    return len(_socket_inodes(pid))


@pytest.mark.django_db(transaction=True)
def test_scripts_serve_runs_web_concurrency_processes_and_replaces_one_that_dies():
    port = free_port()
    supervisor = _serve(port)
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        assert wait_for_answer(url, supervisor)[0] == 200
        first = children_of(supervisor.pid)
        assert len(first) == 2

        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        # No connection is refused or lost meanwhile: those the kernel gives to the victim's
        # socket wait in its backlog until the replacement accepts them.
        with ThreadPoolExecutor(10) as pool:
            assert [answer[0] for answer in pool.map(lambda _: get(url, timeout=90), range(10))] == [200] * 10
        deadline = time.monotonic() + 30
        while len(children_of(supervisor.pid) - {victim}) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        replaced = children_of(supervisor.pid)
        assert victim not in replaced and len(replaced) == 2
        assert [get(url)[0] for _ in range(10)] == [200] * 10
    finally:
        returncode = _stop(supervisor)
    assert returncode == 0


@pytest.mark.django_db(transaction=True)
def test_a_second_scripts_serve_on_a_port_in_use_refuses_to_start():
    """SO_REUSEPORT would let a second instance bind the same port and take half of the
    connections; scripts/serve binds plainly first, so the second one exits at once."""
    port = free_port()
    first = _serve(port)
    try:
        assert wait_for_answer(f"http://127.0.0.1:{port}/healthz", first)[0] == 200
        second = _serve(port)
        assert second.wait(timeout=30) != 0
        assert get(f"http://127.0.0.1:{port}/healthz")[0] == 200
    finally:
        assert _stop(first) == 0


@pytest.mark.django_db(transaction=True)
def test_keep_alive_connections_are_spread_over_the_processes():
    """Each process has a socket of its own on the port (SO_REUSEPORT): 20 persistent
    connections opened at once land on both processes, not all on whichever woke first (with
    one shared socket bench/lists.py saw one process at 100 % CPU and the other idle)."""
    import http.client

    port = free_port()
    supervisor = _serve(port)
    connections = []
    try:
        assert wait_for_answer(f"http://127.0.0.1:{port}/healthz", supervisor)[0] == 200
        children = sorted(children_of(supervisor.pid))
        # each process listens on a socket of its own (one shared socket: the same inode in both)
        listening = [_socket_inodes(pid) & _listening_inodes(port) for pid in children]
        assert [len(inodes) for inodes in listening] == [1, 1] and listening[0] != listening[1], listening
        before = {pid: _tcp_sockets(pid) for pid in children}
        for _ in range(20):  # all connected at once, as a load test's or a proxy's pool does
            connections.append(http.client.HTTPConnection("127.0.0.1", port, timeout=30))
            connections[-1].connect()
        for connection in connections:
            connection.request("GET", "/healthz")
            assert connection.getresponse().read()
        gained = {pid: _tcp_sockets(pid) - before[pid] for pid in children}
        # (a process may open or close a socket of its own meanwhile: the total is about 20)
        assert sum(gained.values()) >= 18, gained
        assert all(count > 0 for count in gained.values()), gained
    finally:
        for connection in connections:
            connection.close()
        assert _stop(supervisor) == 0


# ---- a connection pool per process (PostgreSQL) ---------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_request_threads_borrow_pooled_connections_on_postgresql():
    """Each request runs in a thread of its own under ASGI; on PostgreSQL the thread borrows a
    connection from the process's pool and gives it back, so the next requests' threads open
    no new server connection."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the pool is PostgreSQL's (SQLite opens a file, not a server connection)")
    assert connection.pool is not None  # settings: OPTIONS["pool"] unless DATABASE_POOL=false
    connection.ensure_connection()
    connection.close()
    opened, lent = (connection.pool.get_stats().get(key, 0) for key in ("connections_num", "requests_num"))
    backends = []

    def one_request():
        connection.ensure_connection()
        backends.append(connection.connection.info.backend_pid)
        connection.close()  # what request_finished does: back to the pool

    for _ in range(3):
        thread = threading.Thread(target=one_request)
        thread.start()
        thread.join()
    stats = connection.pool.get_stats()
    assert len(backends) == 3
    assert stats.get("connections_num", 0) == opened, stats  # no new connection to the server
    assert stats.get("requests_num", 0) == lent + 3, stats
