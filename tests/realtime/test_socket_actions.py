"""What a socket receives about an escalation is the REST object its user reads, ``actions``
included: each socket adds its own user's actions to the one message built per event."""

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import Role
from handoffs import services
from tests.factories import AccountFactory, UserFactory
from tests.realtime.test_handoff_sockets import ORIGIN, open_socket
from tests.sessions_app.factories import SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)


@sync_to_async
def team():
    account = AccountFactory()
    people = {
        "junior": UserFactory(account=account, role=Role.ENGINEER, display_name="Jamie Junior"),
        "senior": UserFactory(account=account, role=Role.ENGINEER, display_name="Sam Senior"),
        "viewer": UserFactory(account=account, role=Role.VIEWER),
        "admin": UserFactory(account=account, role=Role.ADMIN),
    }
    people["session"] = SessionFactory(account=account, owner=people["junior"], title="VPN drops")
    return people


async def socket_of(user, path):
    key = (await database_sync_to_async(account_services.api_token_create)(user=user)).key
    token = (b"authorization", f"Token {key}".encode())
    communicator, connected, code = await open_socket(path, ORIGIN, token)
    assert connected, code
    assert (await communicator.receive_json_from(timeout=5))["event"] == "hello"
    return communicator


async def next_handoff_event(communicator):
    while True:
        frame = await communicator.receive_json_from(timeout=5)
        if frame["event"].startswith("handoff."):
            return frame


@database_sync_to_async
def rest_handoff(user, handoff_id):
    client = APIClient()
    client.force_authenticate(user=user)
    body = client.get(f"/api/v1/handoffs/{handoff_id}/").json()
    body.pop("context")
    return body


EXPECTED = {"open": {"junior": ["cancel"], "senior": ["claim"], "viewer": [], "admin": ["claim", "cancel"]},
            "claimed": {"junior": [], "senior": ["release", "return", "resolve"], "viewer": [],
                        "admin": ["release", "return", "resolve"]}}


async def test_every_socket_gets_its_own_users_actions_as_rest_gives_them():
    people = await team()
    names = ["junior", "senior", "viewer", "admin"]
    queues = {name: await socket_of(people[name], "/ws/v1/queue/") for name in names}
    session_socket = await socket_of(people["viewer"], f"/ws/v1/sessions/{people['session'].pk}/")
    try:
        handoff = await database_sync_to_async(services.handoff_escalate)(
            session=people["session"], actor=people["junior"], note="Stuck on MTU")
        for name in names:
            created = await next_handoff_event(queues[name])
            assert created["handoff"]["actions"] == EXPECTED["open"][name], name
        assert (await next_handoff_event(session_socket))["handoff"]["actions"] == []

        await database_sync_to_async(services.handoff_claim)(handoff=handoff, actor=people["senior"])
        for name in names:
            claimed = (await next_handoff_event(queues[name]))["handoff"]
            rest = await rest_handoff(people[name], handoff.pk)
            assert claimed["actions"] == EXPECTED["claimed"][name] == rest["actions"], name
            assert set(claimed) == set(rest)
            for field in set(rest) - {"age_seconds"}:  # the one value that depends on the clock
                assert claimed[field] == rest[field], (name, field)
    finally:
        for communicator in [*queues.values(), session_socket]:
            await communicator.disconnect()
