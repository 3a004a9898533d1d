"""The per-account outgoing webhook, against a real HTTP server on 127.0.0.1: the body Slack
and Teams accept, the signature, one delivery row per event written with it, retries with
backoff under one delivery id, the final failed state, re-sending, and never blocking the
request that caused the event."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts import services as account_services
from accounts.errors import ServiceError
from accounts.models import Account
from handoffs import deliveries, services, webhooks
from handoffs.models import Delivery, HandoffEvent
from tests.sessions_app.factories import SessionFactory
from tests.tasks import pending_tasks, run_due_tasks


class Receiver:
    """A local webhook endpoint: answers with the given statuses in turn (then 200) and
    records every request."""

    def __init__(self, statuses=(), headers=None):
        self.statuses = list(statuses)
        self.requests = []
        self.extra_headers = headers or {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((self.headers, body))  # case-insensitive lookups
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                for name, value in receiver.extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/resolutionflow"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def example_hooks_allowed(settings):
    """The account-setting tests use a made-up host that resolves nowhere; the operator's
    allow-list lets it be saved (tests/handoffs/test_outbound_guard.py covers the refusals)."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1", "hooks.example.test"]


@pytest.fixture
def receiver_factory(settings):
    settings.DELIVERY_BACKOFF_SECONDS = 0
    settings.DELIVERY_MAX_ATTEMPTS = 3
    made = []

    def make(**kwargs):
        made.append(Receiver(**kwargs))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


def hook_up(account, url):
    account_services.account_update(account=account, actor=None, webhook_url=url)
    account.refresh_from_db()
    return account


def expected_signature(secret, raw):
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer, title="Exchange rejects outside mail",
                          client_name="Harbor Dental", ticket_ref="T-77")


def escalate(session, urgency="normal"):
    # Normal urgency: no emails, so every task here is a webhook delivery.
    return services.handoff_escalate(session=session, actor=session.owner, note="550 5.4.1", urgency=urgency)


def webhook_rows(account):
    return Delivery.objects.for_account(account).filter(kind="webhook")


def make_due():
    """The clock moves on: every scheduled retry is due now."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def test_an_escalation_is_posted_signed_in_a_body_slack_and_teams_accept(receiver_factory, northwind, session):
    receiver = receiver_factory()
    account = hook_up(northwind, receiver.url)
    handoff = escalate(session, urgency="critical")
    assert receiver.requests == []  # written with the escalation, sent by the worker
    assert run_due_tasks() == 1

    [(headers, raw)] = receiver.requests
    assert headers["X-ResolutionFlow-Signature"] == expected_signature(account.webhook_secret, raw)
    assert webhooks.verify(account.webhook_secret, raw, headers["X-ResolutionFlow-Signature"])
    assert not webhooks.verify("another secret", raw, headers["X-ResolutionFlow-Signature"])
    assert headers["X-ResolutionFlow-Timestamp"].isdigit()
    assert headers["X-ResolutionFlow-Event"] == "handoff.created"
    assert headers["Content-Type"].startswith("application/json")
    [row] = webhook_rows(northwind)
    assert headers["X-ResolutionFlow-Delivery"] == str(row.pk)
    assert (row.status, row.attempts, row.last_status_code, row.event.kind) == ("delivered", 1, 200, "created")
    body = json.loads(raw)
    assert isinstance(body["text"], str)
    assert body["text"].startswith("Critical escalation from Jamie Junior: “Exchange rejects outside mail”")
    assert "Harbor Dental, T-77" in body["text"] and f"/escalations/{handoff.pk}/" in body["text"]
    assert body["event"] == "handoff.created"
    assert body["seq"] == HandoffEvent.unscoped.get(handoff=handoff).seq == 1
    assert body["handoff"]["id"] == str(handoff.pk) and body["handoff"]["status"] == "open"
    assert body["handoff"]["session"]["ticket_ref"] == "T-77"
    assert body["account"] == {"id": str(northwind.pk), "name": "Northwind IT", "slug": "northwind"}
    assert body["actor"]["name"] == "Jamie Junior"


def test_every_event_is_posted_with_its_own_seq(receiver_factory, northwind, session, senior):
    receiver = receiver_factory()
    hook_up(northwind, receiver.url)
    handoff = escalate(session)
    services.handoff_claim(handoff=handoff, actor=senior)
    services.handoff_resolve(handoff=handoff, actor=senior, resolution="Fixed the connector")
    assert run_due_tasks() == 4
    bodies = sorted((json.loads(raw) for _, raw in receiver.requests), key=lambda b: b["seq"])
    assert [b["event"] for b in bodies] == ["handoff.created", "handoff.claimed", "handoff.first_action",
                                            "handoff.resolved"]
    assert bodies[1]["text"].startswith("Sam Senior picked up")
    # Each body shows the handoff as it was when its event happened.
    assert [b["handoff"]["status"] for b in bodies] == ["open", "claimed", "claimed", "resolved"]
    assert len({headers["X-ResolutionFlow-Delivery"] for headers, _ in receiver.requests}) == 4


def test_a_failing_receiver_is_retried_under_one_delivery_id_until_it_answers(receiver_factory, northwind, session,
                                                                             caplog):
    receiver = receiver_factory(statuses=[500, 503, 200])
    hook_up(northwind, receiver.url)
    with caplog.at_level("INFO", logger="handoffs.deliveries"):
        escalate(session)
        assert run_due_tasks() == 3
    assert len(receiver.requests) == 3
    [row] = webhook_rows(northwind)
    assert {headers["X-ResolutionFlow-Delivery"] for headers, _ in receiver.requests} == {str(row.pk)}
    assert len({raw for _, raw in receiver.requests}) == 1
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == ("delivered", 3, 200, "")
    levels = [r.levelname for r in caplog.records if r.name == "handoffs.deliveries"]
    assert levels == ["WARNING", "WARNING", "INFO"]
    first = next(r for r in caplog.records if r.name == "handoffs.deliveries").getMessage()
    assert "try 1 of 3" in first and "HTTP 500" in first


def test_retries_wait_longer_each_time_and_end_failed_after_the_last_try(receiver_factory, settings, northwind,
                                                                        session, caplog):
    settings.DELIVERY_BACKOFF_SECONDS = 60
    settings.DELIVERY_MAX_ATTEMPTS = 4
    receiver = receiver_factory(statuses=[503] * 10)
    hook_up(northwind, receiver.url)
    handoff = escalate(session)
    waits = []
    for tries in range(1, 5):
        assert run_due_tasks() == 1
        assert run_due_tasks() == 0  # the retry is not due yet
        row = webhook_rows(northwind).get()
        assert row.attempts == tries
        if tries < 4:
            assert row.status == "pending"
            [scheduled] = DBTaskResult.objects.filter(status="READY")
            assert scheduled.run_after == row.next_attempt_at
            waits.append(row.next_attempt_at - row.updated_at)
            make_due()
    assert waits == [timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)]
    assert len(receiver.requests) == 4
    assert len({headers["X-ResolutionFlow-Delivery"] for headers, _ in receiver.requests}) == 1
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == ("failed", 4, 503, "HTTP 503")
    assert pending_tasks() == 0
    assert any("failed for good after 4 try(s)" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")
    handoff.refresh_from_db()
    assert handoff.status == "open"  # the escalation itself stands


def test_an_admin_re_sends_a_failed_delivery_under_the_same_id(receiver_factory, northwind, session, admin_user,
                                                               engineer):
    receiver = receiver_factory(statuses=[500, 500, 500])
    hook_up(northwind, receiver.url)
    escalate(session)
    run_due_tasks()
    row = webhook_rows(northwind).get()
    assert (row.status, row.attempts) == ("failed", 3)

    with pytest.raises(ServiceError) as refused:
        deliveries.delivery_resend(delivery=row, actor=engineer)
    assert refused.value.code == "permission_denied"
    deliveries.delivery_resend(delivery=row, actor=admin_user)
    row.refresh_from_db()
    assert (row.status, row.max_attempts) == ("pending", 6)
    assert run_due_tasks() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 4, 200)
    assert {headers["X-ResolutionFlow-Delivery"] for headers, _ in receiver.requests} == {str(row.pk)}

    with pytest.raises(ServiceError) as refused:
        deliveries.delivery_resend(delivery=row, actor=admin_user)
    assert refused.value.code == "not_failed"


def test_a_refusal_that_retrying_cannot_fix_is_not_retried(receiver_factory, northwind, session):
    receiver = receiver_factory(statuses=[404])
    hook_up(northwind, receiver.url)
    escalate(session)
    assert run_due_tasks() == 1
    assert len(receiver.requests) == 1
    row = webhook_rows(northwind).get()
    assert (row.status, row.attempts, row.last_status_code) == ("failed", 1, 404)


def test_a_redirect_is_not_followed(receiver_factory, northwind, session):
    elsewhere = receiver_factory()
    receiver = receiver_factory(statuses=[302], headers={"Location": elsewhere.url})
    hook_up(northwind, receiver.url)
    escalate(session)
    run_due_tasks()
    assert len(receiver.requests) == 1 and elsewhere.requests == []
    row = webhook_rows(northwind).get()
    assert (row.status, row.last_status_code, row.last_error) == ("failed", 302, "HTTP 302")


def test_an_unreachable_receiver_is_retried_then_given_up(receiver_factory, northwind, session):
    closed = receiver_factory()
    closed.close()  # nothing listens on this port any more
    hook_up(northwind, closed.url)
    escalate(session)
    assert run_due_tasks() == 3
    row = webhook_rows(northwind).get()
    assert (row.status, row.attempts, row.last_status_code) == ("failed", 3, None)
    assert "ConnectError" in row.last_error


def test_the_request_returns_without_contacting_the_receiver(receiver_factory, api, northwind, session, senior):
    handoff = escalate(session)
    receiver = receiver_factory()
    hook_up(northwind, receiver.url)

    response = api.as_user(senior).post(reverse("handoff-claim", args=[handoff.pk]))
    assert response.status_code == 200
    assert receiver.requests == []
    row = webhook_rows(northwind).get()
    assert (row.status, row.attempts, row.topic) == ("pending", 0, "handoff.claimed")
    run_due_tasks()
    assert json.loads(receiver.requests[0][1])["event"] == "handoff.claimed"


def test_without_a_webhook_nothing_is_written_or_sent(receiver_factory, northwind, session):
    receiver = receiver_factory()
    escalate(session)
    run_due_tasks()
    assert receiver.requests == [] and not webhook_rows(northwind).exists()


def test_a_rolled_back_change_writes_no_delivery_and_no_task(receiver_factory, northwind, session):
    receiver = receiver_factory()
    hook_up(northwind, receiver.url)
    tasks_before = DBTaskResult.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        escalate(session)
        assert webhook_rows(northwind).count() == 1 and DBTaskResult.objects.count() == tasks_before + 1
        raise RuntimeError("something later in the request failed")
    assert not Delivery.unscoped.exists()
    assert DBTaskResult.objects.count() == tasks_before
    assert run_due_tasks() == 0
    assert receiver.requests == []


def test_a_removed_webhook_fails_its_pending_deliveries_visibly(receiver_factory, northwind, session):
    receiver = receiver_factory()
    hook_up(northwind, receiver.url)
    escalate(session)
    hook_up(northwind, "")
    run_due_tasks()
    row = webhook_rows(northwind).get()
    assert (row.status, row.attempts) == ("failed", 1)
    assert "no webhook" in row.last_error
    assert receiver.requests == []


def test_a_test_delivery_is_queued_and_posted_as_a_ping(receiver_factory, northwind, admin_user):
    receiver = receiver_factory()
    hook_up(northwind, receiver.url)
    row = deliveries.webhook_test_send(account=northwind, actor=admin_user)
    assert (row.topic, row.status, row.event) == ("ping", "pending", None)
    run_due_tasks()
    [(headers, raw)] = receiver.requests
    assert headers["X-ResolutionFlow-Event"] == "ping"
    assert json.loads(raw)["event"] == "ping"
    row.refresh_from_db()
    assert row.status == "delivered"


# ---- the account setting ----------------------------------------------------------------------


def test_an_admin_sets_the_url_and_the_secret_is_made_on_the_server_and_never_shown(api, admin_user, northwind):
    response = api.as_user(admin_user).patch(reverse("account"), {"webhook_url": "https://hooks.example.test/T1/B2"},
                                             format="json")
    assert response.status_code == 200, response.content
    assert response.json()["webhook_configured"] is True
    account = Account.objects.get(pk=northwind.pk)
    assert account.webhook_url == "https://hooks.example.test/T1/B2" and len(account.webhook_secret) == 64
    for name in ("account", "me"):
        body = json.dumps(api.as_user(admin_user).get(reverse(name)).json())
        assert account.webhook_secret not in body and "hooks.example.test" not in body
        assert "webhook_secret" not in body


def test_changing_the_url_keeps_the_secret_and_clearing_it_drops_it(api, admin_user, northwind):
    account = hook_up(northwind, "https://hooks.example.test/one")
    secret = account.webhook_secret
    api.as_user(admin_user).patch(reverse("account"), {"webhook_url": "https://hooks.example.test/two"}, format="json")
    assert Account.objects.get(pk=northwind.pk).webhook_secret == secret
    response = api.as_user(admin_user).patch(reverse("account"), {"webhook_url": ""}, format="json")
    assert response.json()["webhook_configured"] is False
    assert (Account.objects.get(pk=northwind.pk).webhook_url, Account.objects.get(pk=northwind.pk).webhook_secret) \
        == ("", "")


@pytest.mark.parametrize("url", ["ftp://files.example.test/hook", "not a url", "file:///etc/passwd"])
def test_only_http_and_https_urls_are_accepted(api, admin_user, northwind, url):
    response = api.as_user(admin_user).patch(reverse("account"), {"webhook_url": url}, format="json")
    assert response.status_code == 400
    assert "webhook_url" in response.json()["errors"]
    assert Account.objects.get(pk=northwind.pk).webhook_url == ""


def test_an_engineer_cannot_set_the_webhook(api, engineer, northwind):
    response = api.as_user(engineer).patch(reverse("account"), {"webhook_url": "https://evil.example.test/"},
                                           format="json")
    assert response.status_code == 403
    assert Account.objects.get(pk=northwind.pk).webhook_url == ""


def test_the_secret_command_prints_and_rotates_it(northwind):
    account = hook_up(northwind, "https://hooks.example.test/one")
    out = StringIO()
    call_command("webhook_secret", "northwind", stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == account.webhook_secret
    out = StringIO()
    call_command("webhook_secret", "northwind", "--rotate", stdout=out, stderr=StringIO())
    rotated = Account.objects.get(pk=northwind.pk).webhook_secret
    assert out.getvalue().strip() == rotated != account.webhook_secret
