"""Deliveries survive what a process pool would not (docs/architecture.md#background-work), with real parts: a real
Daphne server killed with SIGKILL, ``manage.py db_worker --batch`` as a subprocess, a real
HTTP receiver, a real SMTP port that never answers, and the settings switch to Redis (RQ).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts import services as account_services
from accounts.models import Role
from handoffs import deliveries
from handoffs.models import Delivery, Handoff
from tests.factories import AccountFactory, UserFactory
from tests.servers import ROOT, DaphneServer, free_port, manage, server_env
from tests.sessions_app.factories import SessionFactory


class Receiver:
    """A webhook receiver bound to a given port (0: any), so it can come back where it was.
    ``hold=True``: it takes each request and answers only once ``gate`` is set."""

    def __init__(self, port=0, *, hold=False):
        self.requests = []
        self.received = threading.Event()
        self.gate = threading.Event()
        if not hold:
            self.gate.set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((self.headers, body))
                receiver.received.set()
                receiver.gate.wait(timeout=60)
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender was killed while we held the answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()


def api_post(url, token, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (a local test server)
        return response.status, json.loads(response.read())


@pytest.mark.django_db(transaction=True)
def test_a_webhook_whose_receiver_was_down_is_delivered_after_the_server_was_killed():
    account = AccountFactory(name="Northwind IT", slug="northwind")
    owner = UserFactory(account=account, role=Role.ENGINEER, display_name="Jamie Junior")
    session = SessionFactory(account=account, owner=owner, title="Exchange rejects outside mail")
    port = free_port()  # nothing listens here yet: the receiver is down
    account_services.account_update(account=account, actor=None, webhook_url=f"http://127.0.0.1:{port}/hook")
    token = account_services.api_token_create(user=owner, name="test").key

    server = DaphneServer().start().wait_ready()
    try:
        status, body = api_post(f"{server.url}/api/v1/sessions/{session.pk}/handoff/", token,
                                {"note": "550 5.4.1", "urgency": "normal"})
        assert status == 201, body
        server.process.send_signal(signal.SIGKILL)  # no shutdown hook, no pool to drain
        assert server.process.wait(timeout=10) == -signal.SIGKILL
    finally:
        server.stop()

    handoff = Handoff.unscoped.get(session=session)
    delivery = Delivery.unscoped.get(kind="webhook", event__handoff=handoff)
    assert (delivery.status, delivery.attempts, delivery.topic) == ("pending", 0, "handoff.created")

    # A worker runs while the receiver is still down: one failed try, the next one an hour away.
    worker_env = server_env(DELIVERY_BACKOFF_SECONDS="3600")
    manage("db_worker", "--batch", "--no-startup-delay", "--no-reload", env=worker_env)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert "ConnectError" in delivery.last_error

    receiver = Receiver(port)  # the receiver is back
    try:
        # The clock moves on: the retry is due (a worker would wait for it).
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        manage("db_worker", "--batch", "--no-startup-delay", "--no-reload", env=worker_env)
    finally:
        receiver.close()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    [(headers, raw)] = receiver.requests
    assert headers["X-ResolutionFlow-Delivery"] == str(delivery.pk)
    assert json.loads(raw)["handoff"]["id"] == str(handoff.pk)


@pytest.mark.django_db(transaction=True)
def test_an_smtp_server_that_never_answers_does_not_hold_the_escalate_request(api, settings):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []  # accepted and never answered: no SMTP greeting ever comes

    def accept():
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": listener.getsockname()[1],
                                                "timeout": 10}}}
    account = AccountFactory()
    owner = UserFactory(account=account, role=Role.ENGINEER)
    UserFactory(account=account, role=Role.ENGINEER, email="senior@example.test")
    session = SessionFactory(account=account, owner=owner)
    api.as_user(owner).get(reverse("session-detail", args=[session.pk]))  # warm: imports, URL resolver
    try:
        started = time.monotonic()
        response = api.as_user(owner).post(reverse("session-handoff", args=[session.pk]),
                                           {"note": "stuck", "urgency": "critical"}, format="json")
        elapsed = time.monotonic() - started
    finally:
        listener.close()
        for connection in held:
            connection.close()
    print(f"\nEscalate request with a mail server that never answers: {elapsed * 1000:.0f} ms")
    assert response.status_code == 201, response.content
    [email] = Delivery.unscoped.filter(kind="email")
    assert (email.target, email.status, email.attempts) == ("senior@example.test", "pending", 0)
    assert DBTaskResult.objects.filter(status="READY", args_kwargs__args=[str(email.pk), 1]).exists()


@pytest.mark.django_db(transaction=True)
def test_a_delivery_whose_worker_was_killed_mid_try_is_tried_again_after_the_sweep():


    account = AccountFactory()
    receiver = Receiver(hold=True)
    try:
        account_services.account_update(account=account, actor=None, webhook_url=receiver.url)
        delivery = deliveries.delivery_create(account=account, kind="webhook", topic="ping", body="{}")

        env = server_env(WEBHOOK_TIMEOUT_SECONDS="60")
        worker = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay",
                                   "--no-reload"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert receiver.received.wait(timeout=60), "the worker never POSTed"
            worker.send_signal(signal.SIGKILL)  # in the middle of the try: no answer recorded
            assert worker.wait(timeout=10) == -signal.SIGKILL
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        assert DBTaskResult.objects.get(args_kwargs__args=[str(delivery.pk), 1]).status == "RUNNING"

        # Ten minutes later the sweep notices the try never finished and enqueues the next one.
        Delivery.unscoped.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=11))
        out = StringIO()
        call_command("escalation_sweep", stdout=out, stderr=StringIO())
        assert "1 lost delivery task(s) enqueued again" in out.getvalue()
        receiver.gate.set()
        manage("db_worker", "--batch", "--no-startup-delay", "--no-reload", env=env)
    finally:
        receiver.close()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert [headers["X-ResolutionFlow-Delivery"] for headers, _ in receiver.requests] == [str(delivery.pk)] * 2


def test_the_sweep_leaves_deliveries_that_are_on_time_alone(northwind):
    due_now = deliveries.delivery_create(account=northwind, kind="email", topic="email.created", target="a@b.test",
                                         subject="s", body="b")
    lost = deliveries.delivery_create(account=northwind, kind="email", topic="email.created", target="c@d.test",
                                      subject="s", body="b")
    Delivery.unscoped.filter(pk=lost.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=11))
    tasks_before = DBTaskResult.objects.count()
    assert deliveries.deliveries_requeue_stale() == 1
    assert DBTaskResult.objects.count() == tasks_before + 1
    assert DBTaskResult.objects.filter(args_kwargs__args=[str(lost.pk), 1]).count() == 2
    assert DBTaskResult.objects.filter(args_kwargs__args=[str(due_now.pk), 1]).count() == 1
    assert deliveries.deliveries_requeue_stale() == 0  # its clock starts again


def test_a_duplicate_task_for_a_try_already_taken_does_nothing(northwind):


    row = deliveries.delivery_create(account=northwind, kind="email", topic="email.created", target="a@b.test",
                                     subject="s", body="b")
    early = deliveries.delivery_attempt(delivery_id=str(row.pk), attempt=2)  # not this try's turn
    assert (early.attempts, early.status, len(mail.outbox)) == (0, "pending", 0)
    first = deliveries.delivery_attempt(delivery_id=str(row.pk), attempt=1)
    assert (first.attempts, first.status, len(mail.outbox)) == (1, "delivered", 1)
    again = deliveries.delivery_attempt(delivery_id=str(row.pk), attempt=1)
    assert (again.attempts, again.status, len(mail.outbox)) == (1, "delivered", 1)


def rq_subprocess(code: str, **env) -> subprocess.CompletedProcess:
    full_env = server_env(TASKS_BACKEND="rq", **env)
    full_env.pop("REDIS_URL", None)
    return subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + code], cwd=ROOT,
                          env=full_env, capture_output=True, text=True, timeout=60, check=True)


@pytest.mark.django_db(transaction=True)
def test_the_settings_switch_yields_the_rq_backend():
    done = rq_subprocess(
        "from django.conf import settings\n"
        "from django.tasks import task_backends\n"
        "backend = task_backends['default']\n"
        "print(type(backend).__module__, type(backend).__name__, 'django_rq' in settings.INSTALLED_APPS,"
        " settings.RQ_QUEUES['default']['URL'])\n",
        TASKS_REDIS_URL="redis://127.0.0.1:6399/7")
    assert done.stdout.split() == ["django_tasks_rq.backend", "RQBackend", "True", "redis://127.0.0.1:6399/7"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis: set REDIS_URL (CI does)")
def test_through_the_rq_backend_a_delivery_reaches_redis_after_commit_and_an_rq_worker_sends_it():
    import redis

    account = AccountFactory()
    receiver = Receiver()
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        account_services.account_update(account=account, actor=None, webhook_url=receiver.url)
        done = rq_subprocess(
            "from django.db import transaction\n"
            "from accounts.models import Account\n"
            "from handoffs import deliveries\n"
            "import django_rq\n"
            f"account = Account.objects.get(pk='{account.pk}')\n"
            "queue = django_rq.get_queue('default')\n"
            "with transaction.atomic():\n"
            "    row = deliveries.delivery_create(account=account, kind='webhook', topic='ping', body='{}')\n"
            "    print(queue.count)\n"  # nothing in Redis before the commit
            "print(queue.count, row.pk)\n"
            "with transaction.atomic():\n"
            "    deliveries.delivery_create(account=account, kind='webhook', topic='ping', body='{}')\n"
            "    transaction.set_rollback(True)\n"
            "print(queue.count)\n",
            TASKS_REDIS_URL=settings.REDIS_URL)
        before, after, delivery_id, after_rollback = done.stdout.split()
        assert (int(after) - int(before), int(after_rollback)) == (1, int(after))
        # RQ keeps a readable description beside the pickled call: "<task path>('<delivery id>', <try>)".
        job_ids = [job_id.decode() for job_id in client.lrange("rq:queue:default", 0, -1)]
        descriptions = [(client.hget(f"rq:job:{job_id}", "description") or b"").decode() for job_id in job_ids]
        assert f"handoffs.deliveries.deliver('{delivery_id}', 1)" in descriptions, descriptions

        env = server_env(TASKS_BACKEND="rq", TASKS_REDIS_URL=settings.REDIS_URL)
        manage("rqworker", "default", "--burst", "--job-class", "django_tasks_rq.backend.Job", env=env)
    finally:
        receiver.close()
        client.close()
    row = Delivery.unscoped.get(pk=delivery_id)
    assert (row.status, row.attempts) == ("delivered", 1)
    assert [headers["X-ResolutionFlow-Delivery"] for headers, _ in receiver.requests] == [delivery_id]


def test_the_worker_command_is_the_one_the_procfile_runs():
    procfile = (ROOT / "Procfile").read_text()
    processes = dict(line.split(":", 1) for line in procfile.splitlines() if line and not line.startswith("#"))
    assert set(processes) == {"web", "worker", "sweep"}
    assert "manage.py db_worker" in processes["worker"]
    assert "escalation_sweep --every 60" in processes["sweep"]
    assert "daphne" in processes["web"]
    assert os.access(ROOT / "manage.py", os.R_OK)
