"""Invitations are single use, expire, and only ever join the account that sent them."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import services
from accounts.errors import ServiceError
from accounts.models import Invitation, User
from resolutionflow.errors import http_status

STRONG = "a-long-enough-pass-42"


@pytest.fixture
def issued(northwind, admin_user):
    return services.invitation_create(account=northwind, email="new@northwind.test", role="viewer",
                                      invited_by=admin_user, send_email=False)


def test_accepting_creates_the_user_in_the_inviting_account_with_the_role(issued, northwind):
    user = services.invitation_accept(token=issued.token, display_name="Nia New", password=STRONG)
    assert (user.account, user.role, user.display_name) == (northwind, "viewer", "Nia New")
    assert user.check_password(STRONG)
    invitation = Invitation.unscoped.get(pk=issued.invitation.pk)
    assert invitation.status == "accepted" and invitation.accepted_user == user


def test_a_link_works_only_once(issued):
    services.invitation_accept(token=issued.token, display_name="Nia", password=STRONG)
    with pytest.raises(ServiceError) as exc:
        services.invitation_accept(token=issued.token, display_name="Nia again", password=STRONG)
    assert exc.value.code == "invitation_accepted"
    assert User.objects.filter(email="new@northwind.test").count() == 1


def test_an_expired_link_is_refused(issued):
    Invitation.unscoped.filter(pk=issued.invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ServiceError) as exc:
        services.invitation_accept(token=issued.token, display_name="Late", password=STRONG)
    assert (exc.value.code, http_status(exc.value)) == ("invitation_expired", 410)
    assert not User.objects.filter(email="new@northwind.test").exists()


def test_a_revoked_link_is_refused(issued, admin_user):
    services.invitation_revoke(invitation=issued.invitation, actor=admin_user)
    with pytest.raises(ServiceError) as exc:
        services.invitation_accept(token=issued.token, display_name="Nope", password=STRONG)
    assert exc.value.code == "invitation_revoked"


def test_an_unknown_link_is_refused(db):
    with pytest.raises(ServiceError) as exc:
        services.invitation_accept(token="made-up", display_name="Nope", password=STRONG)
    assert (exc.value.code, http_status(exc.value)) == ("invalid_invitation", 404)


def test_a_weak_password_is_refused_and_the_link_stays_usable(issued):
    with pytest.raises(ValidationError):
        services.invitation_accept(token=issued.token, display_name="Weak", password="123")
    assert Invitation.unscoped.get(pk=issued.invitation.pk).status == "pending"
    services.invitation_accept(token=issued.token, display_name="Strong", password=STRONG)


def test_an_admin_of_another_account_cannot_invite_or_manage_ours(issued, northwind, outsider_admin):
    with pytest.raises(ServiceError) as exc:
        services.invitation_create(account=northwind, email="spy@example.com", role="admin",
                                   invited_by=outsider_admin, send_email=False)
    assert http_status(exc.value) == 403
    for action in (services.invitation_revoke, services.invitation_resend):
        with pytest.raises(ServiceError):
            action(invitation=issued.invitation, actor=outsider_admin)
    assert Invitation.unscoped.get(pk=issued.invitation.pk).status == "pending"


def test_a_link_from_one_account_never_joins_another(issued, outsider, northwind):
    user = services.invitation_accept(token=issued.token, display_name="Nia", password=STRONG)
    assert user.account_id == northwind.pk != outsider.pk


def test_the_link_dies_when_someone_registers_the_email_first(issued, northwind):
    services.user_create(account=northwind, email="NEW@northwind.test", password=STRONG)
    with pytest.raises(ServiceError) as exc:
        services.invitation_accept(token=issued.token, display_name="Nia", password=STRONG)
    assert exc.value.code == "user_exists"
    assert Invitation.unscoped.get(pk=issued.invitation.pk).status == "pending"
