"""Account Management's webhook section in a browser: set the URL, send a test delivery, see
it delivered after the worker ran, rotate the secret (shown once)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from tests.tasks import run_due_tasks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver():
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            requests.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", requests
    server.shutdown()
    server.server_close()


def test_an_admin_sets_the_webhook_sends_a_test_and_rotates_the_secret(page, admin_user, northwind, log_in,
                                                                        receiver):
    url, requests = receiver
    log_in(admin_user)
    page.get_by_test_id("nav-account").click()
    page.get_by_test_id("section-webhook").click()

    page.get_by_test_id("webhook-url").fill(url)
    page.get_by_test_id("webhook-save").click()
    expect(page.get_by_test_id("webhook-state")).to_contain_text("127.0.0.1")

    page.get_by_test_id("webhook-test").click()
    row = page.get_by_test_id("webhook-deliveries").get_by_test_id("delivery-row").first
    expect(row).to_contain_text("ping")
    expect(row).to_contain_text("Pending")

    assert run_due_tasks() == 1  # the worker's turn
    page.get_by_test_id("webhook-refresh").click()
    expect(page.get_by_test_id("webhook-deliveries").get_by_test_id("delivery-row").first).to_contain_text(
        "Delivered")
    assert len(requests) == 1

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("webhook-rotate").click()
    secret = page.get_by_test_id("webhook-secret")
    expect(secret).to_be_visible()
    assert secret.inner_text() == Account.objects.get(pk=northwind.pk).webhook_secret
    page.reload()
    expect(page.get_by_test_id("webhook-secret")).to_have_count(0)
