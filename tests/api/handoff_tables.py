"""The Escalation Mode rows of the API's role matrix and cross-account table.

Same shapes as ``MATRIX`` in test_role_matrix.py and ``OBJECT_ROUTES`` in
test_tenant_isolation.py, so the router-walking completeness tests can take them in::

    from .handoff_tables import MATRIX as HANDOFF_MATRIX, OBJECT_ROUTES as HANDOFF_OBJECT_ROUTES
    MATRIX.update(HANDOFF_MATRIX)  # and targets.update(handoff_targets), foreign.update(handoff_foreign)

``handoff_targets`` maps a url name to the pk its request is made on (for the roles test);
``handoff_foreign`` maps a url name to another account's object (for the isolation test).
tests/api/test_handoffs_matrix.py and test_handoffs_isolation.py run them meanwhile.
"""

import pytest

from handoffs import services
from handoffs.models import BaselineSample
from tests.factories import UserFactory
from tests.sessions_app.factories import SessionFactory

V, E, A = "viewer", "engineer", "admin"

# (url name, method): ({role: expected status}, request body). The engineer is Jamie: the
# sessions belong to Sam (senior) unless a row says otherwise, so Jamie's escalation of one is
# a peer escalation, and his claim is not of his own escalation.
MATRIX = {
    ("session-handoff", "post"): ({V: 403, E: 201, A: 201}, {"note": "Stuck on the SPF record", "urgency": "high"}),
    ("handoff-list", "get"): ({V: 200, E: 200, A: 200}, None),
    ("handoff-detail", "get"): ({V: 200, E: 200, A: 200}, None),
    ("handoff-events", "get"): ({V: 200, E: 200, A: 200}, None),
    # An open escalation Sam raised on his own session.
    ("handoff-claim", "post"): ({V: 403, E: 200, A: 200}, None),
    # An escalation of Sam's session that Jamie holds: the claimant or an admin may act.
    ("handoff-release", "post"): ({V: 403, E: 200, A: 200}, None),
    ("handoff-return", "post"): ({V: 403, E: 200, A: 200}, {"note": "Reset the DNS cache, then retest"}),
    ("handoff-resolve", "post"): ({V: 403, E: 200, A: 200}, {"resolution": "Renewed the certificate"}),
    # An open escalation of Jamie's own session: the requester or an admin may cancel it.
    ("handoff-cancel", "post"): ({V: 403, E: 200, A: 200}, None),
    ("handoff-metrics", "get"): ({V: 200, E: 200, A: 200}, None),
    # The account's events feed (GET /api/v1/events/): everyone who may watch the queue.
    ("account-events", "get"): ({V: 200, E: 200, A: 200}, None),
    ("baselinesample-list", "get"): ({V: 200, E: 200, A: 200}, None),
    ("baselinesample-list", "post"): ({V: 403, E: 403, A: 201}, {"minutes": 24.5, "note": "Ticket T-88"}),
    ("baselinesample-detail", "get"): ({V: 200, E: 200, A: 200}, None),
    ("baselinesample-detail", "delete"): ({V: 403, E: 403, A: 204}, None),
}

# Every object route, with a body that would be valid for the owner's admin.
OBJECT_ROUTES = {
    ("session-handoff", "post"): {"note": "smuggled", "urgency": "critical"},
    ("handoff-detail", "get"): None,
    ("handoff-events", "get"): None,
    ("handoff-claim", "post"): None,
    ("handoff-release", "post"): None,
    ("handoff-return", "post"): {"note": "over to you"},
    ("handoff-resolve", "post"): {"resolution": "fixed it"},
    ("handoff-cancel", "post"): None,
    ("baselinesample-detail", "get"): None,
    ("baselinesample-detail", "delete"): None,
}


def escalation_states(account, *, owner, claimant, requester_of_cancellable):
    """An active session, an open escalation, a claimed one and one the requester may cancel."""
    fresh = SessionFactory(account=account, owner=owner, title="SPF record rejects the new mail relay")
    open_ = services.handoff_escalate(session=SessionFactory(account=account, owner=owner, title="Open one"),
                                      actor=owner, note="Open and waiting", urgency="normal")
    claimed = services.handoff_escalate(session=SessionFactory(account=account, owner=owner, title="Claimed one"),
                                        actor=owner, note="Being worked", urgency="high")
    services.handoff_claim(handoff=claimed, actor=claimant)
    cancellable = services.handoff_escalate(
        session=SessionFactory(account=account, owner=requester_of_cancellable, title="Mine to cancel"),
        actor=requester_of_cancellable, note="Might sort it myself")
    sample = BaselineSample.unscoped.create(account=account, minutes=31, note="Before the pilot")
    return {"session": fresh, "open": open_, "claimed": claimed, "cancellable": cancellable, "sample": sample}


def _by_route(states):
    return {
        "session-handoff": states["session"], "handoff-detail": states["open"], "handoff-events": states["open"],
        "handoff-claim": states["open"], "handoff-release": states["claimed"], "handoff-return": states["claimed"],
        "handoff-resolve": states["claimed"], "handoff-cancel": states["cancellable"],
        "baselinesample-detail": states["sample"],
    }


@pytest.fixture
def handoff_targets(northwind, engineer, senior):
    """url name → pk of the object the role matrix calls it on."""
    states = escalation_states(northwind, owner=senior, claimant=engineer, requester_of_cancellable=engineer)
    return {name: obj.pk for name, obj in _by_route(states).items()}


@pytest.fixture
def handoff_foreign(outsider, outsider_admin):
    """url name → another account's object (Contoso's), in the state its route acts on."""
    owner = UserFactory(account=outsider, role="engineer", email="otto@contoso.test", display_name="Otto Foreign")
    claimant = UserFactory(account=outsider, role="engineer", email="cara@contoso.test", display_name="Cara Foreign")
    states = escalation_states(outsider, owner=owner, claimant=claimant, requester_of_cancellable=owner)
    return _by_route(states)
