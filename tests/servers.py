"""Real Daphne servers for tests that need more than the test client: websockets in a browser
(tests/e2e) and several server processes sharing Redis (tests/realtime/test_cross_process.py).

A server runs in a subprocess on a free port of 127.0.0.1 and serves the test database this
pytest process (or xdist worker) set up: SQLite by its file, PostgreSQL by its test name. So
the test creates its data with the ORM, committed (``transaction=True`` tests), and the
server sees it. It runs the test settings (fast password hashing, static files from the
source folders) with DEBUG off.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
DAPHNE = Path(sys.executable).with_name("daphne")


def database_url() -> str:
    """The URL of the database this process is using now (the test database, once set up)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(settings["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            raise RuntimeError("A server in another process cannot see an in-memory SQLite test database.")
        return "sqlite:///" + os.path.abspath(name)
    if connection.vendor == "postgresql":
        auth = quote(settings["USER"] or "", safe="")
        if settings.get("PASSWORD"):
            auth += ":" + quote(settings["PASSWORD"], safe="")
        host = settings.get("HOST") or "localhost"
        port = f":{settings['PORT']}" if settings.get("PORT") else ""
        options = {key: value for key, value in (settings.get("OPTIONS") or {}).items() if isinstance(value, str)}
        query = f"?{urlencode(options)}" if options else ""
        return f"postgres://{auth}@{host}{port}/{quote(settings['NAME'], safe='')}{query}"
    raise RuntimeError(f"No server database URL for {connection.vendor}.")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(**extra) -> dict:
    """The environment of a server or management command subprocess on this test database."""
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DATABASE_URL")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "resolutionflow.settings_test",
        "DATABASE_URL": database_url(),
        "DEBUG": "false",
        "SECRET_KEY": "test-only-key-resolutionflow-" + "d" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


def manage(*args: str, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``manage.py <args>`` in a subprocess (``env`` from ``server_env``); its output is
    returned, and a non-zero exit fails with that output."""
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} exited with {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


class DaphneServer:
    """``with DaphneServer(redis_url=...) as server:`` … ``server.url``, ``server.ws_url``.

    ``redis_url`` None: the in-memory channel layer, so every websocket and every change must
    go through this one process."""

    def __init__(self, *, redis_url: str | None = None, startup_timeout: float = 30, extra_env: dict | None = None,
                 daphne_args: tuple[str, ...] = ()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.startup_timeout = startup_timeout
        env = server_env()
        if redis_url:
            env["REDIS_URL"] = redis_url
        env.update(extra_env or {})
        self.env = env
        self.daphne_args = daphne_args
        self.process = None
        self.log = None

    def start(self) -> "DaphneServer":
        self.log = tempfile.NamedTemporaryFile(prefix=f"daphne-{self.port}-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            [str(DAPHNE), "-b", "127.0.0.1", "-p", str(self.port), *self.daphne_args,
             "resolutionflow.asgi:application"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        return self

    def wait_ready(self) -> "DaphneServer":
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Daphne exited with {self.process.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        output = self.output()
        self.stop()
        raise RuntimeError(f"Daphne did not answer on {self.url} within {self.startup_timeout} s:\n{output}")

    def log_text(self) -> str:
        """Everything the server wrote so far (access log, Daphne's and our loggers)."""
        return Path(self.log.name).read_text(errors="replace") if self.log else ""

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-4000:] if self.log else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.log:
            self.log.close()
            Path(self.log.name).unlink(missing_ok=True)
            self.log = None

    def __enter__(self):
        return self.start().wait_ready()

    def __exit__(self, *exc):
        self.stop()
