"""The pages offer exactly the actions the services allow (docs/architecture.md#rules): for every role and
state, each offered button works and each withheld one would be refused."""

import pytest
from django.db import transaction

from accounts.errors import ServiceError
from accounts.models import Role
from handoffs import selectors, services
from tests.factories import UserFactory
from tests.handoffs.escalations import claimed, escalated

CALLS = {
    "claim": lambda h, u: services.handoff_claim(handoff=h, actor=u),
    "release": lambda h, u: services.handoff_release(handoff=h, actor=u),
    "return": lambda h, u: services.handoff_return(handoff=h, actor=u, note="Try the driver"),
    "resolve": lambda h, u: services.handoff_resolve(handoff=h, actor=u, resolution="Driver updated"),
    "cancel": lambda h, u: services.handoff_cancel(handoff=h, actor=u),
}


class _Undo(Exception):
    pass


def allowed_by_service(handoff, user, action) -> bool:
    """Whether the service accepts ``action`` and it changes the escalation (a claim by its
    holder is accepted and changes nothing: no button offers it). Undone either way."""
    before = (handoff.status, handoff.claimed_by_id)
    try:
        with transaction.atomic():
            CALLS[action](handoff, user)
            handoff.refresh_from_db()
            changed = (handoff.status, handoff.claimed_by_id) != before
            raise _Undo
    except _Undo:
        return changed
    except ServiceError:
        return False
    finally:
        handoff.refresh_from_db()


@pytest.fixture
def cast(northwind, personas):
    """Jamie escalated (Pat pressed the button for Jamie); Sam may hold the claim."""
    return {**personas,
            "peer": UserFactory(account=northwind, role=Role.ENGINEER, display_name="Pat Peer"),
            "other": UserFactory(account=northwind, role=Role.ENGINEER, display_name="Omar Other")}


@pytest.mark.parametrize("state", ["open", "claimed"])
@pytest.mark.parametrize("who", ["viewer", "engineer", "peer", "senior", "other", "admin", "outsider"])
def test_the_offered_actions_are_exactly_those_the_services_allow(northwind, cast, state, who):
    if state == "open":
        handoff = escalated(northwind, cast["engineer"], actor=cast["peer"])
    else:
        handoff = claimed(northwind, cast["engineer"], cast["senior"], actor=cast["peer"])
    user = cast[who]

    offered = selectors.handoff_actions(handoff=handoff, user=user)

    allowed = {action for action in CALLS if allowed_by_service(handoff, user, action)}
    assert offered == allowed


@pytest.mark.parametrize("status", ["returned", "resolved", "cancelled"])
def test_nothing_is_offered_on_a_closed_escalation(northwind, cast, status):
    handoff = claimed(northwind, cast["engineer"], cast["senior"])
    if status == "returned":
        services.handoff_return(handoff=handoff, actor=cast["senior"], note="Over to you")
    elif status == "resolved":
        services.handoff_resolve(handoff=handoff, actor=cast["senior"], resolution="Fixed")
    else:
        services.handoff_release(handoff=handoff, actor=cast["senior"])
        services.handoff_cancel(handoff=handoff, actor=cast["engineer"])
    for user in cast.values():
        assert selectors.handoff_actions(handoff=handoff, user=user) == frozenset()
