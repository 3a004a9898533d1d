"""Django admin for escalations: read-only records scoped by account, and the baseline."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import Account, User
from handoffs import services
from handoffs.models import BaselineSample, Handoff
from tests.factories import UserFactory
from tests.handoffs.escalations import claimed
from tests.sessions_app.factories import SessionFactory


@pytest.fixture
def superuser(db):
    return UserFactory(account=None, email="root@resolutionflow.test", is_staff=True, is_superuser=True)


@pytest.fixture
def northwind_staff(northwind):
    staff = UserFactory(account=northwind, role="engineer", email="nadia@northwind.test", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="handoffs"))
    return staff


@pytest.fixture
def escalations(northwind, outsider, engineer, senior):
    ours = services.handoff_escalate(session=SessionFactory(account=northwind, owner=engineer, title="Our VPN"),
                                     actor=engineer, urgency="high", note="Stuck on IKE phase 2")
    services.handoff_claim(handoff=ours, actor=senior)
    owner = UserFactory(account=outsider)
    theirs = services.handoff_escalate(session=SessionFactory(account=outsider, owner=owner, title="Their secret"),
                                       actor=owner, note="Stuck on it")
    return ours, theirs


def test_a_superuser_sees_every_accounts_escalations_with_their_events(client, superuser, escalations):
    ours, theirs = escalations
    client.force_login(superuser)
    listing = client.get(reverse("admin:handoffs_handoff_changelist")).content.decode()
    assert "Our VPN" in listing and "Their secret" in listing
    page = client.get(reverse("admin:handoffs_handoff_change", args=[ours.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Stuck on IKE phase 2" in html and "claimed" in html
    assert 'name="_save"' not in html  # read-only: nothing to save


def test_account_staff_see_only_their_accounts_escalations(client, northwind_staff, escalations):
    ours, theirs = escalations
    client.force_login(northwind_staff)
    listing = client.get(reverse("admin:handoffs_handoff_changelist")).content.decode()
    assert "Our VPN" in listing and "Their secret" not in listing
    assert client.get(reverse("admin:handoffs_handoff_change", args=[theirs.pk])).status_code == 302


def test_escalations_cannot_be_added_or_deleted_in_admin(client, superuser, escalations):
    client.force_login(superuser)
    assert client.get(reverse("admin:handoffs_handoff_add")).status_code == 403
    assert client.get(reverse("admin:handoffs_handoff_delete", args=[escalations[0].pk])).status_code == 403


def test_a_baseline_sample_is_added_through_the_service(client, superuser, northwind):
    client.force_login(superuser)
    response = client.post(reverse("admin:handoffs_baselinesample_add"), {
        "account": northwind.pk, "minutes": "22.5", "measured_on": "2026-10-01", "note": "From the old rota"})
    assert response.status_code == 302, response.content.decode()[:2000]
    sample = BaselineSample.unscoped.get()
    assert (sample.account, str(sample.minutes), sample.recorded_by) == (northwind, "22.5", None)
    listing = client.get(reverse("admin:handoffs_baselinesample_changelist")).content.decode()
    assert "From the old rota" in listing


def test_deleting_an_account_deletes_its_claimed_escalations(northwind, engineer, senior):
    """Deleting an account (admin refuses it while escalations exist, they are not deletable
    there; a shell or a retention job may) used to null each claimant first, which the
    handoff_claimed_has_claimant constraint refused with an IntegrityError."""
    held = claimed(northwind, engineer, senior)
    Account.objects.filter(pk=northwind.pk).delete()
    assert not Handoff.objects.for_account(held.account_id).exists()
    assert not User.objects.filter(pk=senior.pk).exists()


def test_a_user_holding_a_claim_is_not_deleted_and_admin_says_why(client, superuser, northwind, engineer, senior):
    """Was a 500: the deletion set the claimant to null under a claimed escalation."""
    held = claimed(northwind, engineer, senior)
    client.force_login(superuser)
    url = reverse("admin:accounts_user_delete", args=[senior.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Cannot delete user" in page.content  # the escalation it holds is named as the reason
    refused = client.post(url, {"post": "yes"})
    assert refused.status_code == 200 and b"Cannot delete user" in refused.content  # not a 500
    assert User.objects.filter(pk=senior.pk).exists()
    held.refresh_from_db()
    assert held.claimed_by_id == senior.pk and held.status == "claimed"
