"""``POST /api/v1/realtime/ticket/``: a websocket ticket for any member, by token or by cookie
with CSRF; stored as a digest, expiring after ``REALTIME_TICKET_TTL_SECONDS``, used once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from accounts import services
from accounts.models import RealtimeTicket
from accounts.tokens import digest


def token_client(user):
    issued = services.api_token_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}")
    return client, issued.token


def test_a_viewer_gets_a_ticket_with_a_token(viewer, settings):
    settings.REALTIME_TICKET_TTL_SECONDS = 45
    client, token = token_client(viewer)
    before = timezone.now()
    response = client.post(reverse("realtime-ticket"), {}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"ticket", "expires_at", "expires_in"}
    assert body["expires_in"] == 45
    expires_at = parse_datetime(body["expires_at"])
    assert before + timedelta(seconds=45) <= expires_at <= timezone.now() + timedelta(seconds=45)
    stored = RealtimeTicket.objects.get(digest=digest(body["ticket"]))
    assert (stored.user, stored.api_token, stored.used_at) == (viewer, token, None)


def test_the_ticket_is_url_safe_and_new_each_time(engineer):
    client, _ = token_client(engineer)
    tickets = {client.post(reverse("realtime-ticket"), format="json").json()["ticket"] for _ in range(3)}
    assert len(tickets) == 3
    assert all(len(t) >= 40 and t.replace("-", "").replace("_", "").isalnum() for t in tickets)


def test_a_cookie_login_needs_csrf_and_gets_a_ticket_bound_to_no_token(engineer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(engineer)
    refused = client.post(reverse("realtime-ticket"), "{}", content_type="application/json")
    assert refused.status_code == 403
    assert not RealtimeTicket.objects.exists()

    client.get("/")  # the page sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    response = client.post(reverse("realtime-ticket"), "{}", content_type="application/json",
                           HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 201, response.content
    stored = RealtimeTicket.objects.get(digest=digest(response.json()["ticket"]))
    assert (stored.user, stored.api_token) == (engineer, None)


def test_without_credentials_there_is_no_ticket(db):
    response = APIClient().post(reverse("realtime-ticket"), {}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert not RealtimeTicket.objects.exists()


def test_expired_tickets_are_swept_when_a_ticket_is_issued(engineer, senior):
    old = services.realtime_ticket_issue(user=senior)
    RealtimeTicket.objects.filter(pk=old.ticket.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    live = services.realtime_ticket_issue(user=senior)
    services.realtime_ticket_issue(user=engineer)
    assert set(RealtimeTicket.objects.values_list("user", flat=True)) == {senior.pk, engineer.pk}
    assert not RealtimeTicket.objects.filter(pk=old.ticket.pk).exists()
    assert RealtimeTicket.objects.filter(pk=live.ticket.pk).exists()


def test_a_ticket_is_redeemed_once(engineer):
    issued = services.realtime_ticket_issue(user=engineer)
    first = services.realtime_ticket_redeem(secret=issued.secret)
    assert first is not None and first.user == engineer and first.used_at is not None
    assert services.realtime_ticket_redeem(secret=issued.secret) is None


def test_a_deactivated_user_gets_no_ticket(engineer):
    from accounts.errors import ServiceError

    engineer.is_active = False
    with pytest.raises(ServiceError) as refused:
        services.realtime_ticket_issue(user=engineer)
    assert refused.value.code == "user_inactive"


@pytest.mark.django_db(transaction=True)
def test_of_many_handshakes_racing_with_one_ticket_exactly_one_gets_it(engineer):
    """Real threads, each with its own database connection (PostgreSQL in CI)."""
    issued = services.realtime_ticket_issue(user=engineer)
    start = threading.Barrier(8)
    results = []

    def redeem():
        try:
            start.wait()
            results.append(services.realtime_ticket_redeem(secret=issued.secret))
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert sum(result is not None for result in results) == 1
