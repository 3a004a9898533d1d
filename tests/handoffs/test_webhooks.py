"""The per-account outgoing webhook, against a real HTTP server on 127.0.0.1: the body Slack
and Teams accept, the signature, retries with backoff, giving up, and never blocking the
request that caused the event."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Account
from handoffs import services, webhooks
from handoffs.models import HandoffEvent
from tests.sessions_app.factories import SessionFactory


class Receiver:
    """A local webhook endpoint: answers with the given statuses in turn (then 200), records
    every request, and can hold its answer until the test opens ``gate``."""

    def __init__(self, statuses=(), hold=False):
        self.statuses = list(statuses)
        self.requests = []
        self.received = threading.Event()
        self.answered = threading.Event()
        self.gate = threading.Event()
        if not hold:
            self.gate.set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((self.headers, body))  # case-insensitive lookups
                receiver.received.set()
                receiver.gate.wait(timeout=30)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                receiver.answered.set()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/resolutionflow"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver_factory(settings):
    settings.HANDOFF_WEBHOOK_BACKOFF_SECONDS = 0.01
    settings.HANDOFF_WEBHOOK_ATTEMPTS = 3
    made = []

    def make(**kwargs):
        made.append(Receiver(**kwargs))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()
    assert webhooks.drain(timeout=10)


def hook_up(account, url):
    account_services.account_update(account=account, actor=None, webhook_url=url)
    account.refresh_from_db()
    return account


@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer, title="Exchange rejects outside mail",
                          client_name="Harbor Dental", ticket_ref="T-77")


def escalate(session, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return services.handoff_escalate(session=session, actor=session.owner, note="550 5.4.1",
                                         urgency="critical", **kwargs)


def test_an_escalation_is_posted_signed_in_a_body_slack_and_teams_accept(
        receiver_factory, northwind, session, django_capture_on_commit_callbacks):
    receiver = receiver_factory()
    account = hook_up(northwind, receiver.url)
    handoff = escalate(session, django_capture_on_commit_callbacks)
    assert webhooks.drain(timeout=10)

    [(headers, raw)] = receiver.requests
    assert headers["X-ResolutionFlow-Signature"] == webhooks.sign(account.webhook_secret, raw)
    assert webhooks.verify(account.webhook_secret, raw, headers["X-ResolutionFlow-Signature"])
    assert not webhooks.verify("another secret", raw, headers["X-ResolutionFlow-Signature"])
    assert headers["X-ResolutionFlow-Timestamp"].isdigit()
    assert headers["X-ResolutionFlow-Event"] == "handoff.created"
    assert headers["Content-Type"].startswith("application/json")
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


def test_every_event_is_posted_with_its_own_seq(receiver_factory, northwind, session, senior,
                                                django_capture_on_commit_callbacks):
    receiver = receiver_factory()
    hook_up(northwind, receiver.url)
    handoff = escalate(session, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.handoff_claim(handoff=handoff, actor=senior)
    with django_capture_on_commit_callbacks(execute=True):
        services.handoff_resolve(handoff=handoff, actor=senior, resolution="Fixed the connector")
    assert webhooks.drain(timeout=10)
    bodies = sorted((json.loads(raw) for _, raw in receiver.requests), key=lambda b: b["seq"])
    assert [b["event"] for b in bodies] == ["handoff.created", "handoff.claimed", "handoff.first_action",
                                            "handoff.resolved"]
    assert bodies[1]["text"].startswith("Sam Senior picked up")
    # Each body shows the handoff as it was when its event happened.
    assert [b["handoff"]["status"] for b in bodies] == ["open", "claimed", "claimed", "resolved"]


def test_a_failing_receiver_is_retried_with_backoff_until_it_answers(
        receiver_factory, northwind, session, django_capture_on_commit_callbacks, caplog):
    receiver = receiver_factory(statuses=[500, 500, 200])
    hook_up(northwind, receiver.url)
    with caplog.at_level("INFO", logger="handoffs.webhooks"):
        escalate(session, django_capture_on_commit_callbacks)
        assert webhooks.drain(timeout=10)
    assert len(receiver.requests) == 3
    assert len({headers["X-ResolutionFlow-Delivery"] for headers, _ in receiver.requests}) == 1
    assert len({raw for _, raw in receiver.requests}) == 1
    levels = [r.levelname for r in caplog.records if r.name == "handoffs.webhooks"]
    assert levels == ["WARNING", "WARNING", "INFO"]
    assert "attempt 1 of 3" in caplog.records[0].getMessage() and "HTTP 500" in caplog.records[0].getMessage()


def test_it_gives_up_after_the_configured_attempts_and_logs_an_error(
        receiver_factory, settings, northwind, session, django_capture_on_commit_callbacks, caplog):
    settings.HANDOFF_WEBHOOK_ATTEMPTS = 4
    receiver = receiver_factory(statuses=[503] * 10)
    hook_up(northwind, receiver.url)
    with caplog.at_level("INFO", logger="handoffs.webhooks"):
        handoff = escalate(session, django_capture_on_commit_callbacks)
        assert webhooks.drain(timeout=10)
    assert len(receiver.requests) == 4
    levels = [r.levelname for r in caplog.records if r.name == "handoffs.webhooks"]
    assert levels == ["WARNING", "WARNING", "WARNING", "ERROR"]
    assert "failed for good after 4 attempt(s)" in caplog.records[-1].getMessage()
    handoff.refresh_from_db()
    assert handoff.status == "open"  # the escalation itself stands


def test_a_refusal_that_retrying_cannot_fix_is_not_retried(
        receiver_factory, northwind, session, django_capture_on_commit_callbacks, caplog):
    receiver = receiver_factory(statuses=[404])
    hook_up(northwind, receiver.url)
    with caplog.at_level("INFO", logger="handoffs.webhooks"):
        escalate(session, django_capture_on_commit_callbacks)
        assert webhooks.drain(timeout=10)
    assert len(receiver.requests) == 1
    assert [r.levelname for r in caplog.records if r.name == "handoffs.webhooks"] == ["ERROR"]


def test_an_unreachable_receiver_is_retried_then_given_up(settings, northwind, session,
                                                         django_capture_on_commit_callbacks, caplog):
    settings.HANDOFF_WEBHOOK_BACKOFF_SECONDS = 0.01
    closed = Receiver()
    closed.close()  # nothing listens on this port any more
    hook_up(northwind, closed.url)
    with caplog.at_level("INFO", logger="handoffs.webhooks"):
        escalate(session, django_capture_on_commit_callbacks)
        assert webhooks.drain(timeout=30)
    levels = [r.levelname for r in caplog.records if r.name == "handoffs.webhooks"]
    assert levels == ["WARNING", "WARNING", "ERROR"]


def test_the_request_returns_before_a_slow_receiver_answers(receiver_factory, api, northwind, session, senior,
                                                            django_capture_on_commit_callbacks):
    handoff = services.handoff_escalate(note="Stuck on it", session=session, actor=session.owner)
    receiver = receiver_factory(hold=True)
    hook_up(northwind, receiver.url)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(senior).post(reverse("handoff-claim", args=[handoff.pk]))
    # The API has answered; the receiver has the POST but has not answered it yet.
    assert response.status_code == 200
    assert receiver.received.wait(timeout=10)
    assert not receiver.answered.is_set()

    receiver.gate.set()
    assert webhooks.drain(timeout=10)
    # The receiver flags "answered" after writing its reply, so the sender may finish first.
    assert receiver.answered.wait(timeout=10)
    assert json.loads(receiver.requests[0][1])["event"] == "handoff.claimed"


def test_without_a_webhook_nothing_is_sent(receiver_factory, northwind, session, django_capture_on_commit_callbacks):
    receiver = receiver_factory()
    escalate(session, django_capture_on_commit_callbacks)
    assert webhooks.drain(timeout=10)
    assert receiver.requests == []


def test_a_rolled_back_change_sends_nothing(receiver_factory, northwind, session, django_capture_on_commit_callbacks):
    from django.db import transaction

    receiver = receiver_factory()
    hook_up(northwind, receiver.url)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            services.handoff_escalate(note="Stuck on it", session=session, actor=session.owner)
            raise RuntimeError("something later in the request failed")
    assert webhooks.drain(timeout=10)
    assert receiver.requests == []


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
