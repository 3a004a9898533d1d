"""Role × action × state, through the API and through the pages (docs/architecture.md#rules and #locks).

The expected table below is written from docs/architecture.md#rules by hand, not computed from the rules
under test. Every row runs through both entry points; an entry point that skips a rule (as
the page once did for a claimant demoted to viewer: the API said 403, the page resolved the
escalation) fails here, and so does one that refuses what the table allows.
"""

import pytest
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import Role
from handoffs import services
from handoffs.models import Handoff, HandoffStatus
from sessions_app.models import Message, TroubleshootingSession
from tests.factories import UserFactory
from tests.sessions_app.factories import SessionFactory

OK = "ok"
SAME = "accepted, changes nothing"  # the holder's own second claim (handoffs.services.handoff_claim)
PERSONAS = ("viewer", "owner", "claimant", "bystander", "admin", "demoted_claimant")

# (action, state of the escalation) → persona → expected. 403: a rule says no; 409: the state
# refuses it (checked after the role, so a viewer is always told 403).
ESCALATION_TABLE = {
    ("claim", "open"): {"viewer": 403, "owner": 403, "claimant": OK, "bystander": OK, "admin": OK,
                        "demoted_claimant": 403},
    ("claim", "claimed"): {"viewer": 403, "owner": 403, "claimant": SAME, "bystander": 409, "admin": 409,
                           "demoted_claimant": 403},
    ("release", "claimed"): {"viewer": 403, "owner": 403, "claimant": OK, "bystander": 403, "admin": OK,
                             "demoted_claimant": 403},
    ("return", "claimed"): {"viewer": 403, "owner": 403, "claimant": OK, "bystander": 403, "admin": OK,
                            "demoted_claimant": 403},
    ("resolve", "claimed"): {"viewer": 403, "owner": 403, "claimant": OK, "bystander": 403, "admin": OK,
                             "demoted_claimant": 403},
    **{(action, "open"): {p: 403 if p in ("viewer", "demoted_claimant") else 409 for p in PERSONAS}
       for action in ("release", "return", "resolve")},
    ("cancel", "open"): {"viewer": 403, "owner": OK, "claimant": 403, "bystander": 403, "admin": OK,
                         "demoted_claimant": 403},
    ("cancel", "claimed"): {"viewer": 403, "owner": 409, "claimant": 403, "bystander": 403, "admin": 409,
                            "demoted_claimant": 403},
}

# Session writes: (action, state of the session) → persona → expected.
SESSION_TABLE = {
    ("message", "active"): {"viewer": 403, "owner": OK, "claimant": 403, "bystander": 403, "admin": OK,
                            "demoted_claimant": 403},
    ("message", "claimed"): {"viewer": 403, "owner": OK, "claimant": OK, "bystander": 403, "admin": OK,
                             "demoted_claimant": 403},
    ("resolve_session", "claimed"): {"viewer": 403, "owner": OK, "claimant": OK, "bystander": 403, "admin": OK,
                                     "demoted_claimant": 403},
    ("escalate", "active"): {"viewer": 403, "owner": OK, "claimant": OK, "bystander": OK, "admin": OK,
                             "demoted_claimant": 403},
    ("escalate", "claimed"): {"viewer": 403, "owner": 409, "claimant": 409, "bystander": 409, "admin": 409,
                              "demoted_claimant": 403},
}

API = {
    "claim": ("post", "/api/v1/handoffs/{h}/claim/", {}),
    "release": ("post", "/api/v1/handoffs/{h}/release/", {}),
    "return": ("post", "/api/v1/handoffs/{h}/return/", {"note": "Re-register the device in Intune"}),
    "resolve": ("post", "/api/v1/handoffs/{h}/resolve/", {"resolution": "Reset the MFA method"}),
    "cancel": ("post", "/api/v1/handoffs/{h}/cancel/", {}),
    "message": ("post", "/api/v1/sessions/{s}/messages/", {"body": "Checked the sign-in log", "kind": "note"}),
    "resolve_session": ("post", "/api/v1/sessions/{s}/resolve/", {"resolution": "Reset the MFA method"}),
    "escalate": ("post", "/api/v1/sessions/{s}/handoff/", {"note": "Stuck on MFA"}),
}
PAGES = {
    "claim": ("/escalations/{h}/claim/", {"origin": "context"}),
    "release": ("/escalations/{h}/release/", {"origin": "context"}),
    "return": ("/escalations/{h}/return/", {"origin": "context", "note": "Re-register the device in Intune"}),
    "resolve": ("/escalations/{h}/resolve/", {"origin": "context", "resolution": "Reset the MFA method"}),
    "cancel": ("/escalations/{h}/cancel/", {"origin": "context"}),
    "message": ("/sessions/{s}/messages/", {"body": "Checked the sign-in log", "kind": "note"}),
    "resolve_session": ("/sessions/{s}/resolve/", {"resolution": "Reset the MFA method"}),
    "escalate": ("/sessions/{s}/escalate/", {"note": "Stuck on MFA", "urgency": "normal"}),
}


@pytest.fixture
def world(northwind, viewer, engineer, senior, admin_user):
    """Jamie's session escalated (open), or picked up by Sam (claimed); Dana picked up a
    colleague's escalation earlier and was demoted to viewer while holding it (which puts it
    back on the queue: she must still be refused everything)."""
    bystander = UserFactory(account=northwind, role=Role.ENGINEER, display_name="Bo Bystander")
    demoted = UserFactory(account=northwind, role=Role.ENGINEER, display_name="Dana Demoted")
    return {"viewer": viewer, "owner": engineer, "claimant": senior, "bystander": bystander, "admin": admin_user,
            "demoted_claimant": demoted, "account": northwind}


def arrange(world, state, persona):
    owner = world["owner"]
    session = SessionFactory(account=world["account"], owner=owner, title="MFA prompt loops on sign-in")
    handoff = None
    if state in ("open", "claimed"):
        handoff = services.handoff_escalate(session=session, actor=owner, note="Stuck on MFA")
    if state == "claimed":
        holder = world["demoted_claimant"] if persona == "demoted_claimant" else world["claimant"]
        services.handoff_claim(handoff=handoff, actor=holder)
    if persona == "demoted_claimant":
        account_services.user_update(user=world["demoted_claimant"], actor=None, role=Role.VIEWER)
    return session, handoff


def snapshot(session):
    session = TroubleshootingSession.unscoped.get(pk=session.pk)
    handoffs = list(Handoff.unscoped.filter(session=session).values_list("status", "claimed_by_id"))
    return (session.status, session.assignee_id, Message.unscoped.filter(session=session).count(), handoffs)


def run(via, action, user, session, handoff, client):
    ids = {"s": session.pk, "h": handoff.pk if handoff else None}
    if via == "api":
        api = APIClient()
        api.force_authenticate(user)
        _method, url, body = API[action]
        return api.post(url.format(**ids), body, format="json")
    client.force_login(user)
    url, body = PAGES[action]
    return client.post(url.format(**ids), body, headers={"HX-Request": "true"})


def check(expected, response, before, after):
    if expected == OK:
        assert response.status_code < 400, response.content[:300]
        assert after != before, "an allowed action changed nothing"
    elif expected == SAME:
        assert response.status_code < 400, response.content[:300]
        assert after == before, "a repeated action changed something"
    else:
        assert response.status_code == expected, response.content[:300]
        assert after == before, "a refused action changed something"


def cases(table):
    return [(action, state, persona, expected) for (action, state), row in table.items()
            for persona, expected in row.items()]


@pytest.mark.parametrize("via", ["api", "page"])
@pytest.mark.parametrize("action, state, persona, expected", cases(ESCALATION_TABLE) + cases(SESSION_TABLE))
def test_every_rule_holds_at_every_entry_point(world, client, via, action, state, persona, expected):
    session, handoff = arrange(world, state, persona)
    before = snapshot(session)
    response = run(via, action, world[persona], session, handoff, client)
    check(expected, response, before, snapshot(session))


def test_the_demoted_claimant_cannot_resolve_through_the_page_either(world, client):
    """The instance the issue found: API 403, page 302 and resolved. Both refuse now (and the
    demotion itself put the escalation back on the queue for a colleague)."""
    session, handoff = arrange(world, "claimed", "demoted_claimant")
    client.force_login(world["demoted_claimant"])
    response = client.post(f"/escalations/{handoff.pk}/resolve/", {"origin": "context", "resolution": "done"})
    assert response.status_code == 403
    assert Handoff.unscoped.get(pk=handoff.pk).status == HandoffStatus.OPEN
    assert TroubleshootingSession.unscoped.get(pk=session.pk).status == "escalated"
