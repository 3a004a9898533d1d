"""One shape for an escalation, and a realtime seq per account (docs/architecture.md#realtime-events).

The websocket event carries exactly the REST API's escalation object (``actions`` added per
socket); ``seq`` counts one
account's events 1, 2, 3, … so another account's activity never looks like a missed event.
"""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from handoffs import services
from handoffs.events import account_group
from handoffs.models import HandoffEvent
from tests.factories import AccountFactory, UserFactory
from tests.sessions_app.factories import SessionFactory


def escalated(account, *, note="Stuck on MFA"):
    owner = UserFactory(account=account)
    session = SessionFactory(account=account, owner=owner, client_name="Harbor Dental", ticket_ref="T-9")
    return services.handoff_escalate(session=session, actor=owner, note=note, urgency="high")


def seqs(account):
    return list(HandoffEvent.unscoped.filter(account=account).order_by("seq").values_list("seq", flat=True))


def test_each_account_numbers_its_own_events_without_gaps(northwind, outsider, senior):
    ours = escalated(northwind)
    escalated(outsider)
    escalated(outsider)
    services.handoff_claim(handoff=ours, actor=senior)
    escalated(outsider)
    services.handoff_release(handoff=ours, actor=senior)

    assert seqs(northwind) == [1, 2, 3]
    assert seqs(outsider) == [1, 2, 3]
    northwind.refresh_from_db()
    assert northwind.event_seq == 3


def test_a_rolled_back_change_gives_its_number_back(northwind, engineer, senior):
    handoff = escalated(northwind)
    with pytest.raises(RuntimeError):
        from django.db import transaction

        with transaction.atomic():
            services.handoff_claim(handoff=handoff, actor=senior)
            raise RuntimeError("the request failed after the claim")
    services.handoff_claim(handoff=handoff, actor=senior)
    assert seqs(northwind) == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_the_websocket_event_carries_the_rest_apis_escalation_object(api):
    account = AccountFactory()
    senior = UserFactory(account=account, display_name="Sam Senior")
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(account_group(account.pk), channel)
    try:
        handoff = escalated(account)
        services.handoff_claim(handoff=handoff, actor=senior)
        created = async_to_sync(layer.receive)(channel)["payload"]
        assert async_to_sync(layer.receive)(channel)["payload"] == {"event": "queue.count", "open": 1}
        claimed = async_to_sync(layer.receive)(channel)["payload"]
    finally:
        async_to_sync(layer.group_discard)(account_group(account.pk), channel)

    rest = api.as_user(senior).get(f"/api/v1/handoffs/{handoff.pk}/").json()
    rest.pop("context")
    # The group's message is shared by every reader (and the webhook): each socket adds its own
    # user's actions (tests/realtime/test_socket_actions.py checks a socket's frame == REST).
    assert rest.pop("actions") == ["release", "return", "resolve"]
    assert "actions" not in claimed["handoff"]
    pushed = claimed["handoff"]
    assert set(pushed) == set(rest)
    for field in set(rest) - {"age_seconds"}:  # the one value that depends on the clock
        assert pushed[field] == rest[field], field
    assert (created["event"], created["seq"], claimed["event"], claimed["seq"]) == (
        "handoff.created", 1, "handoff.claimed", 2)
    assert created["handoff"]["status"] == "open" and pushed["claimed_by"]["name"] == "Sam Senior"
