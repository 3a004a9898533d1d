"""Who may write to a session (docs/architecture.md#rules), and the activity hook handoffs listens to."""

from contextlib import contextmanager

import pytest

from accounts.errors import ServiceError
from accounts.models import Role
from resolutionflow.errors import http_status
from sessions_app.models import SessionStatus, TroubleshootingSession
from sessions_app.services import can_write, fact_set, require_write
from sessions_app.signals import session_activity
from tests.factories import UserFactory

from .factories import SessionFactory


@contextmanager
def refused(code, status=None):
    with pytest.raises(ServiceError) as info:
        yield info
    assert info.value.code == code, info.value.detail
    assert status is None or http_status(info.value) == status


@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer)


def escalate_to(session, assignee):
    """What the handoffs claim does: status and assignee in one UPDATE (the database insists)."""
    TroubleshootingSession.unscoped.filter(pk=session.pk).update(status=SessionStatus.ESCALATED, assignee=assignee)
    session.refresh_from_db()


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", True), ("colleague", False), ("viewer", False), ("admin", True), ("outsider_admin", False),
     ("deactivated_owner", False), ("deactivated_admin", False)],
)
def test_who_may_write_to_an_active_session(session, engineer, senior, viewer, admin_user, outsider_admin,
                                            who, expected):
    users = {"owner": engineer, "colleague": senior, "viewer": viewer, "admin": admin_user,
             "outsider_admin": outsider_admin}
    if who.startswith("deactivated_"):
        user = users[who.removeprefix("deactivated_")]
        user.is_active = False
    else:
        user = users[who]
    assert can_write(user=user, session=session) is expected


def test_the_engineer_holding_the_claim_may_write_and_other_colleagues_may_not(session, northwind, senior):
    bystander = UserFactory(account=northwind, role=Role.ENGINEER)
    escalate_to(session, senior)
    assert can_write(user=senior, session=session)
    assert not can_write(user=bystander, session=session)


def test_a_viewer_holding_a_stale_assignment_still_only_reads(session, northwind):
    demoted = UserFactory(account=northwind, role=Role.ENGINEER)
    escalate_to(session, demoted)
    demoted.role = Role.VIEWER
    assert not can_write(user=demoted, session=session)


def test_the_claim_ends_when_the_assignee_is_cleared(session, senior):
    escalate_to(session, senior)
    TroubleshootingSession.unscoped.filter(pk=session.pk).update(status=SessionStatus.ACTIVE, assignee=None)
    session.refresh_from_db()
    assert not can_write(user=senior, session=session)


def test_a_refusal_tells_a_viewer_that_they_only_read(session, viewer):
    with refused("permission_denied", 403) as info:
        require_write(user=viewer, session=session)
    assert "read-only" in info.value.detail


def test_a_refusal_tells_a_colleague_who_may_write(session, senior):
    with refused("permission_denied", 403) as info:
        require_write(user=senior, session=session)
    assert "owner" in info.value.detail


def test_another_accounts_user_is_told_the_session_does_not_exist(session, outsider_admin):
    with refused("not_found", 404):
        require_write(user=outsider_admin, session=session)


@contextmanager
def activity_received():
    """Connect a receiver to ``session_activity`` for the block; yields what it received."""
    seen = []

    def receiver(*, session, actor, kind, **_signal):
        seen.append((session.pk, actor.pk, kind))

    session_activity.connect(receiver, dispatch_uid="test-activity")
    try:
        yield seen
    finally:
        session_activity.disconnect(dispatch_uid="test-activity")


def test_every_write_in_a_session_sends_the_activity_signal(session, engineer):
    with activity_received() as seen:
        fact_set(session=session, actor=engineer, key="os", value="Windows 11")
    assert seen == [(session.pk, engineer.pk, "fact")]


def test_a_refused_write_sends_no_activity(session, senior):
    with activity_received() as seen, refused("permission_denied"):
        fact_set(session=session, actor=senior, key="os", value="Windows 11")
    assert seen == []
