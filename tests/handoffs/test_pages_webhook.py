"""Account Management's webhook section (/account/#webhook): set and clear the URL, rotate
the secret (shown once), send a test delivery, the recent deliveries and notification emails
with status and tries, and re-sending a failed one. Admins of the account only."""

import pytest

from accounts.models import Account
from handoffs import deliveries, services
from handoffs.models import Delivery
from tests.sessions_app.factories import SessionFactory
from tests.tasks import run_due_tasks

HTMX = {"HX-Request": "true"}
HOOK = "https://hooks.example.test/services/T1/B2/secret-part"


@pytest.fixture(autouse=True)
def example_hooks_allowed(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1", "hooks.example.test"]
    settings.DELIVERY_BACKOFF_SECONDS = 0
    settings.DELIVERY_MAX_ATTEMPTS = 2


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


def account_of(account):
    return Account.objects.get(pk=account.pk)


def failed_webhook_delivery(account, port_nobody_listens_on):
    """A delivery to a closed local port, tried until it failed for good."""
    Account.objects.filter(pk=account.pk).update(webhook_url=f"http://127.0.0.1:{port_nobody_listens_on}/hook",
                                                 webhook_secret="s" * 64)
    row = deliveries.delivery_create(account=account, kind="webhook", topic="ping", body="{}")
    run_due_tasks()
    row.refresh_from_db()
    assert row.status == "failed"
    return row


@pytest.fixture
def closed_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_admin_sees_the_section_and_no_webhook_yet(as_admin):
    page = as_admin.get("/account/").text
    assert 'data-testid="section-webhook"' in page and 'data-testid="webhook-section"' in page
    assert "No webhook: escalation events are not sent anywhere." in page
    assert 'data-testid="webhook-test"' not in page  # nothing to test yet


def test_an_admin_sets_the_url_and_sees_only_its_host(as_admin, northwind):
    response = as_admin.post("/account/webhook/url/", {"webhook_url": HOOK}, headers=HTMX)
    assert response.status_code == 200
    assert "hooks.example.test" in response.text and "secret-part" not in response.text
    assert 'data-testid="webhook-test"' in response.text
    account = account_of(northwind)
    assert account.webhook_url == HOOK and len(account.webhook_secret) == 64
    assert account.webhook_secret not in response.text


def test_a_plain_form_post_is_redirected_back_to_the_section(as_admin, northwind):
    response = as_admin.post("/account/webhook/url/", {"webhook_url": HOOK})
    assert (response.status_code, response.url) == (302, "/account/#webhook")


@pytest.mark.parametrize("url", ["ftp://files.example.test/hook", "not a url"])
def test_a_malformed_url_is_refused_and_nothing_changes(as_admin, northwind, url):
    response = as_admin.post("/account/webhook/url/", {"webhook_url": url}, headers=HTMX)
    assert response.status_code == 400
    assert 'data-testid="webhook-error"' in response.text and 'data-code="invalid_url"' in response.text
    assert account_of(northwind).webhook_url == ""


def test_a_non_public_destination_is_refused_with_its_code_on_the_page(as_admin, northwind, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    response = as_admin.post("/account/webhook/url/", {"webhook_url": "http://169.254.169.254/latest/meta-data/"})
    assert response.status_code == 400
    assert 'data-code="destination_not_public"' in response.text and "link-local" in response.text
    assert account_of(northwind).webhook_url == ""


def test_clearing_the_url_drops_the_secret(as_admin, northwind):
    as_admin.post("/account/webhook/url/", {"webhook_url": HOOK}, headers=HTMX)
    response = as_admin.post("/account/webhook/url/", {"webhook_url": ""}, headers=HTMX)
    assert response.status_code == 200
    assert (account_of(northwind).webhook_url, account_of(northwind).webhook_secret) == ("", "")


def test_rotating_shows_the_new_secret_once(as_admin, northwind):
    as_admin.post("/account/webhook/url/", {"webhook_url": HOOK}, headers=HTMX)
    old = account_of(northwind).webhook_secret
    response = as_admin.post("/account/webhook/rotate/", headers=HTMX)
    new = account_of(northwind).webhook_secret
    assert response.status_code == 200 and new != old
    assert f'data-testid="webhook-secret">{new}<' in response.text
    assert "no-store" in response["Cache-Control"]
    assert new not in as_admin.get("/account/").text


def test_rotating_without_a_webhook_is_refused(as_admin):
    response = as_admin.post("/account/webhook/rotate/", headers=HTMX)
    assert response.status_code == 409 and 'data-code="no_webhook"' in response.text


def test_a_test_delivery_is_queued_and_listed(as_admin, northwind):
    as_admin.post("/account/webhook/url/", {"webhook_url": HOOK}, headers=HTMX)
    response = as_admin.post("/account/webhook/test/", headers=HTMX)
    assert response.status_code == 200
    [row] = Delivery.objects.for_account(northwind)
    assert (row.topic, row.status) == ("ping", "pending")
    assert f'data-testid="delivery-status-{row.pk}">Pending<' in response.text
    assert f'data-testid="delivery-tries-{row.pk}">0 of 2<' in response.text


def test_a_failed_delivery_is_shown_and_re_sent_with_the_same_id(as_admin, northwind, closed_port):
    row = failed_webhook_delivery(northwind, closed_port)
    page = as_admin.get("/account/").text
    assert f'data-testid="delivery-status-{row.pk}">Failed<' in page
    assert f'data-testid="delivery-tries-{row.pk}">2 of 2<' in page
    assert "ConnectError" in page
    response = as_admin.post(f"/account/deliveries/{row.pk}/resend/", headers=HTMX)
    assert response.status_code == 200
    row.refresh_from_db()
    assert (row.status, row.max_attempts) == ("pending", 4)
    assert f'data-testid="delivery-status-{row.pk}">Pending<' in response.text
    again = as_admin.post(f"/account/deliveries/{row.pk}/resend/", headers=HTMX)
    assert again.status_code == 409 and 'data-code="not_failed"' in again.text


def test_a_failed_notification_email_is_visible_to_admins(as_admin, northwind, engineer, senior, settings,
                                                          closed_port):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": closed_port, "timeout": 5}}}
    session = SessionFactory(account=northwind, owner=engineer, title="Printer offline")
    services.handoff_escalate(session=session, actor=engineer, note="Stuck on it", urgency="critical")
    run_due_tasks()
    emails = Delivery.objects.for_account(northwind).filter(kind="email")
    assert {row.status for row in emails} == {"failed"} and emails.count() == 2
    page = as_admin.get("/account/").text
    for row in emails:
        assert f'data-testid="delivery-status-{row.pk}">Failed<' in page
        assert f'data-testid="delivery-resend-{row.pk}"' in page
    assert "sam@northwind.test" in page


def test_another_accounts_delivery_is_not_found_and_not_listed(as_admin, outsider, closed_port):
    foreign = failed_webhook_delivery(outsider, closed_port)
    assert str(foreign.pk) not in as_admin.get("/account/").text
    response = as_admin.post(f"/account/deliveries/{foreign.pk}/resend/", headers=HTMX)
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "failed"


@pytest.mark.parametrize("path", ["/account/webhook/url/", "/account/webhook/rotate/", "/account/webhook/test/"])
def test_an_engineer_is_refused_every_action(client, engineer, northwind, path):
    client.force_login(engineer)
    response = client.post(path, {"webhook_url": HOOK})
    assert response.status_code == 403
    assert account_of(northwind).webhook_url == ""
    assert not Delivery.objects.for_account(northwind).exists()


def test_an_engineer_cannot_re_send(client, engineer, northwind, closed_port):
    row = failed_webhook_delivery(northwind, closed_port)
    client.force_login(engineer)
    assert client.post(f"/account/deliveries/{row.pk}/resend/").status_code == 403
    row.refresh_from_db()
    assert row.status == "failed"


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/account/webhook/")
    assert response.status_code == 302 and response.url.startswith("/login/")
