"""Webhook destinations a tenant must not reach (issue 8, kind 8): refused when saved (API and
Account Management, 400 with a code, nothing changed) and again at send time (the delivery
fails visibly, nothing is sent), unless the operator lists the host in WEBHOOK_ALLOWED_HOSTS.
The POST goes to the address that was checked, never to a second DNS answer."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from accounts.models import Account
from handoffs import deliveries, webhooks
from handoffs.models import Delivery
from resolutionflow import outbound
from tests.tasks import run_due_tasks

REFUSED = [
    ("http://169.254.169.254/latest/meta-data/", "link-local"),  # the cloud metadata service
    ("http://10.1.2.3/hook", "private"),
    ("http://172.16.0.9/hook", "private"),
    ("http://192.168.1.20:8080/hook", "private"),
    ("http://127.0.0.1:8000/hook", "loopback"),
    ("http://127.8.9.10/hook", "loopback"),
    ("http://[::1]/hook", "loopback"),
    ("http://0.0.0.0/hook", "unspecified"),
    ("http://[::]/hook", "unspecified"),
    ("http://224.0.0.1/hook", "multicast"),
    ("http://[ff02::1]/hook", "multicast"),
    ("http://[fe80::1]/hook", "link-local"),
    ("http://[fd00::7]/hook", "private"),
    ("http://[::ffff:127.0.0.1]/hook", "loopback"),  # IPv4-mapped IPv6
    ("http://100.64.0.1/hook", "not public"),  # carrier-grade NAT
    ("http://240.0.0.1/hook", "reserved"),
    ("http://localhost:8000/hook", "loopback"),  # a name that resolves to 127.0.0.1 (and ::1)
]


@pytest.fixture(autouse=True)
def nothing_allowed(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    settings.DELIVERY_BACKOFF_SECONDS = 0
    settings.DELIVERY_MAX_ATTEMPTS = 3


class Receiver:
    def __init__(self):
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                receiver.requests.append((self.headers, self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.close()


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_a_non_public_destination_is_refused_by_the_guard(url, reason):
    with pytest.raises(outbound.DestinationRefused) as refused:
        outbound.resolve_destination(url)
    assert refused.value.code == "destination_not_public"
    assert f"a {reason} address" in refused.value.detail


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_the_api_refuses_to_save_it_and_changes_nothing(api, admin_user, northwind, url, reason):
    response = api.as_user(admin_user).patch(reverse("account"), {"webhook_url": url}, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "destination_not_public" and reason in body["detail"]
    assert Account.objects.get(pk=northwind.pk).webhook_url == ""


def test_the_page_refuses_to_save_it(client, admin_user, northwind):
    client.force_login(admin_user)
    response = client.post("/account/webhook/url/", {"webhook_url": "http://localhost/hook"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 400 and 'data-code="destination_not_public"' in response.text
    assert Account.objects.get(pk=northwind.pk).webhook_url == ""


def test_a_host_that_does_not_resolve_is_refused_when_saved(api, admin_user, northwind):
    response = api.as_user(admin_user).patch(reverse("account"), {"webhook_url": "https://nowhere.invalid/hook"},
                                             format="json")
    assert (response.status_code, response.json()["code"]) == (400, "destination_unresolvable")


def test_a_public_address_is_accepted(api, admin_user, northwind):
    response = api.as_user(admin_user).patch(reverse("account"), {"webhook_url": "https://93.184.215.14/hook"},
                                             format="json")
    assert response.status_code == 200, response.content
    assert outbound.resolve_destination("https://93.184.215.14/hook").pinned_url == "https://93.184.215.14/hook"


def test_the_operator_can_allow_a_host(api, admin_user, northwind, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["LocalHost"]
    response = api.as_user(admin_user).patch(reverse("account"), {"webhook_url": "http://localhost:9/hook"},
                                             format="json")
    assert response.status_code == 200, response.content
    # Allowing one host allows nothing else.
    response = api.as_user(admin_user).patch(reverse("account"), {"webhook_url": "http://127.0.0.1:9/hook"},
                                             format="json")
    assert response.status_code == 400


def test_a_destination_written_around_the_check_is_refused_at_send_time(northwind, receiver):
    # As if saved before the rule existed, or by a host list that has since changed.
    Account.objects.filter(pk=northwind.pk).update(webhook_url=f"http://127.0.0.1:{receiver.port}/hook",
                                                   webhook_secret="s" * 64)
    row = deliveries.delivery_create(account=northwind, kind="webhook", topic="ping", body="{}")
    assert run_due_tasks() == 1  # refused once, not retried
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == ("failed", 1, None)
    assert row.last_error.startswith("Not sent: 127.0.0.1 leads to a loopback address")
    assert receiver.requests == []


def test_the_test_delivery_is_refused_for_a_non_public_destination(northwind, admin_user):
    from accounts.errors import ServiceError

    Account.objects.filter(pk=northwind.pk).update(webhook_url="http://10.0.0.1/hook", webhook_secret="s" * 64)
    with pytest.raises(ServiceError) as refused:
        deliveries.webhook_test_send(account=Account.objects.get(pk=northwind.pk), actor=admin_user)
    assert refused.value.code == "destination_not_public"
    assert not Delivery.objects.for_account(northwind).exists()


def test_the_post_goes_to_the_checked_address_not_to_a_second_lookup(northwind, receiver, settings, monkeypatch):
    """receiver.test exists only in this test's resolver, which answers the guard once. If the
    HTTP client looked the name up again it would fail to find it: the POST arrives only
    because it is sent to the checked address, with the name in the Host header."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["receiver.test"]
    lookups = []

    def test_resolver(host, port):
        lookups.append(host)
        return ["127.0.0.1"] if host == "receiver.test" else []

    monkeypatch.setattr(outbound, "resolve_host", test_resolver)
    url = f"http://receiver.test:{receiver.port}/hook"
    result = webhooks.post(url=url, secret="s" * 64, event="ping", delivery_id="d-1", body=b"{}")
    assert result.ok, result.error
    [(headers, raw)] = receiver.requests
    assert headers["Host"] == f"receiver.test:{receiver.port}"
    assert json.loads(raw) == {}
    assert lookups == ["receiver.test"]
