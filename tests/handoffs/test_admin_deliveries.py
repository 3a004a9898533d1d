"""Django admin: deliveries of both kinds with status and tries, scoped by account, and the
Re-send action through the service."""

import socket

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import Account
from handoffs import deliveries
from tests.factories import UserFactory
from tests.tasks import run_due_tasks


@pytest.fixture(autouse=True)
def quick_retries(settings):
    settings.DELIVERY_BACKOFF_SECONDS = 0
    settings.DELIVERY_MAX_ATTEMPTS = 1


@pytest.fixture
def superuser(db):
    return UserFactory(account=None, email="root@resolutionflow.test", is_staff=True, is_superuser=True)


def staff_of(account, role):
    staff = UserFactory(account=account, role=role, is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="handoffs"))
    return staff


def failed_delivery(account, topic):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    Account.objects.filter(pk=account.pk).update(webhook_url=f"http://127.0.0.1:{port}/hook", webhook_secret="s" * 64)
    row = deliveries.delivery_create(account=account, kind="webhook", topic=topic, body="{}")
    run_due_tasks()
    row.refresh_from_db()
    assert row.status == "failed"
    return row


def resend(client, *rows):
    return client.post(reverse("admin:handoffs_delivery_changelist"),
                       {"action": "resend", "_selected_action": [str(row.pk) for row in rows]}, follow=True)


def test_a_superuser_sees_every_accounts_deliveries_and_re_sends_them(client, superuser, northwind, outsider):
    ours, theirs = failed_delivery(northwind, "ours.ping"), failed_delivery(outsider, "theirs.ping")
    client.force_login(superuser)
    listing = client.get(reverse("admin:handoffs_delivery_changelist")).text
    assert "ours.ping" in listing and "theirs.ping" in listing and "1 of 1" in listing
    response = resend(client, ours, theirs)
    assert "Re-sent 2 deliveries." in response.text
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.status, theirs.status) == ("pending", "pending")
    again = resend(client, ours)
    assert "only a failed one is re-sent" in again.text


def test_account_staff_see_only_their_accounts_deliveries(client, northwind, outsider):
    failed_delivery(northwind, "ours.ping")
    theirs = failed_delivery(outsider, "theirs.ping")
    client.force_login(staff_of(northwind, "admin"))
    listing = client.get(reverse("admin:handoffs_delivery_changelist")).text
    assert "ours.ping" in listing and "theirs.ping" not in listing
    assert client.get(reverse("admin:handoffs_delivery_change", args=[theirs.pk])).status_code in (302, 404)


def test_account_staff_who_are_not_its_admins_cannot_re_send(client, northwind):
    row = failed_delivery(northwind, "ours.ping")
    client.force_login(staff_of(northwind, "engineer"))
    response = resend(client, row)
    assert "Only an admin of this account" in response.text
    row.refresh_from_db()
    assert row.status == "failed"


def test_task_rows_are_for_superusers_only(client, northwind, superuser):
    client.force_login(staff_of(northwind, "admin"))
    assert client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist")).status_code == 403
    client.force_login(superuser)
    assert client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist")).status_code == 200
