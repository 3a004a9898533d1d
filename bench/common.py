"""What every benchmark shares: a fresh database (SQLite file or a new PostgreSQL database),
migrated and seeded by bench/seed.py; a real server (scripts/serve: Daphne processes on
127.0.0.1, DEBUG off) in its own process; and a load client (asyncio + httpx) bounded in
count and time. Every figure is printed beside ``/healthz`` measured on the same server in the
same run, so the ratio holds on a noisy machine.

PostgreSQL: ``BENCH_POSTGRES_URL`` (default ``postgres://rf:rf@127.0.0.1:5433/postgres``) names
a server and a role that may CREATE DATABASE; benchmark databases are ``rf_bench_<what>``.
"""

import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import httpx

ROOT = Path(__file__).resolve().parent.parent
# The checkout that is served and migrated (default: this one). Point it at an export of an
# older commit to measure "before" with the same seeder and client.
APP_ROOT = Path(os.environ.get("BENCH_APP_ROOT", ROOT))
PYTHON = sys.executable
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://rf:rf@127.0.0.1:5433/postgres")

SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "resolutionflow.settings",
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-key-resolutionflow-" + "b" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    "LOG_LEVEL": "ERROR",
    "AUTH_THROTTLE_RATE": "100000/min",
    "PYTHONUNBUFFERED": "1",
}


def fresh_database(kind: str, name: str) -> str:
    """A new, empty database; returns its DATABASE_URL. ``kind``: "sqlite" or "postgres"."""
    if kind == "sqlite":
        path = Path(tempfile.gettempdir()) / f"rf-bench-{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    database = f"rf_bench_{name}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}"')
    return urlunparse(urlparse(POSTGRES_URL)._replace(path=f"/{database}"))


def manage_env(database_url: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(SERVER_ENV, DATABASE_URL=database_url, **{k: str(v) for k, v in extra.items()})
    return env


def prepare(kind: str, name: str, **seed_args) -> tuple[str, dict]:
    """Create, migrate and seed a database; returns (DATABASE_URL, the seeder's JSON).

    With ``BENCH_REUSE=1`` a database this function seeded before with the same arguments is
    migrated (forward, to the served checkout's schema) and used again without re-seeding: a
    "before" run with ``BENCH_APP_ROOT`` and the "after" run then read the same rows."""
    marker = Path(tempfile.gettempdir()) / f"rf-bench-{kind}-{name}.seeded.json"
    reuse = os.environ.get("BENCH_REUSE") == "1" and marker.exists()
    if reuse and json.loads(marker.read_text())["args"] == seed_args:
        url, seeded = json.loads(marker.read_text())["url"], json.loads(marker.read_text())["seeded"]
    else:
        marker.unlink(missing_ok=True)
        url, seeded = fresh_database(kind, name), None
    env = manage_env(url)
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=APP_ROOT, env=env, check=True)
    # Pages under DEBUG=false need the hashed static files' manifest.
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=APP_ROOT, env=env, check=True)
    if seeded is None:
        args = [f"--{key.replace('_', '-')}={value}" for key, value in seed_args.items()]
        out = subprocess.run([PYTHON, "bench/seed.py", *args], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True).stdout
        seeded = json.loads(out.strip().splitlines()[-1])
        marker.write_text(json.dumps({"args": seed_args, "url": url, "seeded": seeded}))
    return url, seeded


class Server:
    """``with Server(database_url, processes=2, redis_url=None) as server:`` … ``server.url``.
    ``app``: another ASGI application to serve the same way (bench/bare_asgi.py)."""

    def __init__(self, database_url: str, *, processes: int = 1, redis_url: str | None = None,
                 app: str | None = None, **env):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.env = manage_env(database_url, WEB_CONCURRENCY=processes, **env)
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.process = None
        self.app = app

    def __enter__(self):
        self.log = tempfile.NamedTemporaryFile(prefix="rf-bench-server-", suffix=".log", delete=False)
        command = [PYTHON, str(APP_ROOT / "scripts/serve"), "--port", str(self.port)]
        if self.app:
            command += ["--app", self.app]
        self.process = subprocess.Popen(command, cwd=APP_ROOT, env=self.env, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{Path(self.log.name).read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start within 60 s")

    def cpu_seconds(self) -> float:
        """CPU time (user + system, seconds) used so far by the server: scripts/serve and the
        Daphne processes it started (read from /proc; a process restarted meanwhile counts
        from its start)."""
        total = 0.0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended between the listing and the read
                continue
            if int(entry.name) == self.process.pid or int(fields[1]) == self.process.pid:
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        if os.environ.get("BENCH_KEEP_LOGS"):
            print(f"server log kept: {self.log.name}", file=sys.stderr)
        else:
            Path(self.log.name).unlink(missing_ok=True)


@dataclass
class Run:
    """Latencies (seconds) and statuses of one load run."""

    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    wall: float = 0.0
    bodies_5xx: list[str] = field(default_factory=list)
    # CPU seconds (user + system) of the run: the server's processes (when ``load`` was given
    # the server) and the load client's own process, which shares the machine's cores.
    server_cpu: float = 0.0
    client_cpu: float = 0.0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    def count(self, predicate) -> int:
        return sum(1 for s in self.statuses if predicate(s))

    @property
    def p50(self):
        return statistics.median(self.latencies) if self.latencies else float("nan")


def merged(runs: list[Run]) -> Run:
    """One ``Run`` of several: every latency and status, and the sum of their walls (so ``rate``
    is all their requests over all their time)."""
    return Run(latencies=[x for run in runs for x in run.latencies], statuses=[x for run in runs for x in run.statuses],
               wall=sum(run.wall for run in runs), bodies_5xx=[x for run in runs for x in run.bodies_5xx],
               server_cpu=sum(run.server_cpu for run in runs), client_cpu=sum(run.client_cpu for run in runs))


async def _load(url: str, *, concurrency: int, requests: int, seconds: float, headers=None) -> Run:
    run = Run()
    deadline = time.monotonic() + seconds
    remaining = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60, headers=headers or {}) as client:
        async def worker():
            for _ in remaining:
                if time.monotonic() > deadline:
                    return
                start = time.perf_counter()
                try:
                    response = await client.get(url)
                except httpx.TimeoutException:  # counted as status 0: no answer within the timeout
                    run.latencies.append(time.perf_counter() - start)
                    run.statuses.append(0)
                    continue
                run.latencies.append(time.perf_counter() - start)
                run.statuses.append(response.status_code)
                if response.status_code >= 500:
                    run.bodies_5xx.append(response.text[:200])

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        run.wall = time.perf_counter() - began
    return run


def _client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load(url: str, *, concurrency: int = 20, requests: int = 400, seconds: float = 30, headers=None,
         server: "Server | None" = None) -> Run:
    """GET ``url`` ``requests`` times from ``concurrency`` clients (stops early after ``seconds``).
    With ``server``, the run also records the server's CPU seconds over the run (``server_cpu``);
    it always records the client's own (``client_cpu``)."""
    server_before, client_before = (server.cpu_seconds() if server else 0.0), _client_cpu()
    run = asyncio.run(_load(url, concurrency=concurrency, requests=requests, seconds=seconds, headers=headers))
    run.client_cpu = _client_cpu() - client_before
    run.server_cpu = (server.cpu_seconds() - server_before) if server else 0.0
    return run


def loadavg() -> str:
    """The machine's load average over the last minute (the machine is shared: every row records it)."""
    return Path("/proc/loadavg").read_text().split()[0]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def table(headers: list[str], rows: list[list]) -> str:
    cells = [headers, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)
