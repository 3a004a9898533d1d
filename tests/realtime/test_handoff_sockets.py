"""Escalation events over websockets: what the services publish reaches the account's queue
socket and the session's socket, in order, and nobody else's."""

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from accounts import services as account_services
from accounts.models import Role
from handoffs import services
from handoffs.models import HandoffEvent
from resolutionflow.asgi import application
from tests.factories import AccountFactory, UserFactory
from tests.sessions_app.factories import SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1")


@sync_to_async
def team():
    """An account with Jamie (junior), Sam (senior) and Vera (viewer), Jamie's session, and
    an outsider account with its own engineer and session."""
    account, other = AccountFactory(), AccountFactory()
    people = {
        "junior": UserFactory(account=account, role=Role.ENGINEER, display_name="Jamie Junior"),
        "senior": UserFactory(account=account, role=Role.ENGINEER, display_name="Sam Senior"),
        "viewer": UserFactory(account=account, role=Role.VIEWER),
        "admin": UserFactory(account=account, role=Role.ADMIN),
        "outsider": UserFactory(account=other, role=Role.ADMIN),
    }
    people["session"] = SessionFactory(account=account, owner=people["junior"], title="VPN drops")
    people["second_session"] = SessionFactory(account=account, owner=people["junior"], title="Printer")
    people["their_session"] = SessionFactory(account=other, owner=people["outsider"])
    return people


@sync_to_async
def token_header(user):
    return (b"authorization", f"Token {account_services.api_token_create(user=user).key}".encode())


@sync_to_async
def cookie_header(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={store.session_key}".encode())


def with_host(headers) -> list:
    """Every real handshake names its ``Host`` (HTTP/1.1); Channels' test communicator sends
    none unless told. ``ORIGIN`` is then a page of the server's own origin."""
    headers = [*headers]
    if not any(name == b"host" for name, _ in headers):
        headers.append((b"host", b"127.0.0.1"))
    return headers


async def open_socket(path, *headers):
    communicator = WebsocketCommunicator(application, path, headers=with_host(headers))
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


async def refused(path, *headers) -> int:
    """The close code of a socket that must not open. Every refusal comes after the handshake
    is accepted, so a browser's ``onclose`` can read the code (a refused handshake shows it
    only 1006)."""
    communicator, connected, code = await open_socket(path, *headers)
    assert connected, f"the handshake itself was refused ({code}): a browser could not read why"
    message = await communicator.receive_output(timeout=5)
    assert message["type"] == "websocket.close", message
    await communicator.disconnect()
    return message["code"]


async def subscribed(path, user):
    communicator, connected, code = await open_socket(path, ORIGIN, await token_header(user))
    assert connected, code
    hello = await communicator.receive_json_from(timeout=5)
    assert hello["event"] == "hello"
    return communicator


def session_path(session):
    return f"/ws/v1/sessions/{session.pk}/"


escalate = database_sync_to_async(lambda session, actor, **kw: services.handoff_escalate(
    session=session, actor=actor, **{"note": "Stuck on it", **kw}))
claim = database_sync_to_async(lambda handoff, actor: services.handoff_claim(handoff=handoff, actor=actor))
release = database_sync_to_async(lambda handoff, actor: services.handoff_release(handoff=handoff, actor=actor))
event_ids = database_sync_to_async(lambda handoff: list(HandoffEvent.unscoped.filter(handoff=handoff)
                                                        .order_by("seq").values_list("seq", flat=True)))


# ---- who may open the session socket --------------------------------------------------------


async def test_an_anonymous_session_socket_is_refused_with_4401():
    cast = await team()
    assert await refused(session_path(cast["session"]), ORIGIN) == 4401


async def test_a_session_of_another_account_is_not_found():
    cast = await team()
    assert await refused(session_path(cast["their_session"]), ORIGIN, await token_header(cast["junior"])) == 4404


async def test_an_unknown_session_is_not_found():
    cast = await team()
    assert await refused("/ws/v1/sessions/00000000-0000-0000-0000-000000000000/", ORIGIN,
                         await token_header(cast["junior"])) == 4404


async def test_a_foreign_origin_is_refused_on_the_session_socket_with_4403():
    cast = await team()
    assert await refused(session_path(cast["session"]), (b"origin", b"https://evil.example"),
                         await token_header(cast["junior"])) == 4403


@pytest.mark.parametrize("who", ["junior", "senior", "viewer"])
async def test_anyone_of_the_account_follows_a_session_with_the_page_cookie(who):
    cast = await team()
    communicator, connected, _ = await open_socket(session_path(cast["session"]), ORIGIN,
                                                   await cookie_header(cast[who]))
    assert connected
    hello = await communicator.receive_json_from(timeout=5)
    assert hello == {"event": "hello", "session": str(cast["session"].pk), "seq": 0, "session_seq": 0}
    await communicator.disconnect()


# ---- what arrives ---------------------------------------------------------------------------


async def test_escalate_claim_and_release_reach_the_queue_in_order_with_increasing_seq():
    cast = await team()
    queue = await subscribed("/ws/v1/queue/", cast["senior"])

    handoff = await escalate(cast["session"], cast["junior"], note="Stuck", urgency="high")
    await claim(handoff, cast["senior"])
    await release(handoff, cast["senior"])

    frames = [await queue.receive_json_from(timeout=5) for _ in range(6)]
    # Each escalation event is followed by the account's count of unclaimed escalations.
    assert [(m["event"], m.get("open")) for m in frames[1::2]] == [("queue.count", 1), ("queue.count", 0),
                                                                   ("queue.count", 1)]
    received = frames[0::2]
    assert [m["event"] for m in received] == ["handoff.created", "handoff.claimed", "handoff.released"]
    assert [m["seq"] for m in received] == await event_ids(handoff)
    assert received[0]["seq"] < received[1]["seq"] < received[2]["seq"]
    created, claimed = received[0]["handoff"], received[1]["handoff"]
    assert created["id"] == str(handoff.pk) and created["status"] == "open" and created["urgency"] == "high"
    assert created["requested_by"]["name"] == "Jamie Junior" and created["note"] == "Stuck"
    assert claimed["status"] == "claimed" and claimed["claimed_by"]["name"] == "Sam Senior"
    assert received[2]["handoff"]["claimed_by"] is None
    assert await queue.receive_nothing(timeout=0.3)
    await queue.disconnect()


async def test_the_session_socket_gets_its_sessions_events_only():
    cast = await team()
    watching = await subscribed(session_path(cast["session"]), cast["junior"])
    elsewhere = await subscribed(session_path(cast["second_session"]), cast["junior"])

    handoff = await escalate(cast["session"], cast["senior"], note="Escalated for Jamie")
    await claim(handoff, cast["admin"])

    frames = [await watching.receive_json_from(timeout=5) for _ in range(4)]
    # The session's own changes (escalated, picked up) come on the same socket.
    changed = [f for f in frames if f["event"] == "session.changed"]
    assert [(f["status"], f["reload"]) for f in changed] == [("escalated", True), ("escalated", True)]
    created, claimed = [f for f in frames if f["event"] != "session.changed"]
    assert (created["event"], claimed["event"]) == ("handoff.created", "handoff.claimed")
    assert created["handoff"]["handed_off_by"]["name"] == "Sam Senior"
    assert claimed["seq"] > created["seq"]
    assert await elsewhere.receive_nothing(timeout=0.5)
    await watching.disconnect()
    await elsewhere.disconnect()


async def test_another_accounts_sockets_hear_nothing_of_our_escalations():
    cast = await team()
    ours = await subscribed("/ws/v1/queue/", cast["viewer"])
    theirs = await subscribed("/ws/v1/queue/", cast["outsider"])
    their_session = await subscribed(session_path(cast["their_session"]), cast["outsider"])

    await escalate(cast["session"], cast["junior"])

    assert (await ours.receive_json_from(timeout=5))["event"] == "handoff.created"
    assert await theirs.receive_nothing(timeout=0.5)
    assert await their_session.receive_nothing(timeout=0.1)
    for communicator in (ours, theirs, their_session):
        await communicator.disconnect()


async def test_hello_carries_the_accounts_newest_seq_so_a_late_page_knows_to_resync():
    cast = await team()
    handoff = await escalate(cast["session"], cast["junior"])
    await claim(handoff, cast["senior"])
    newest = (await event_ids(handoff))[-1]

    for path in ("/ws/v1/queue/", session_path(cast["second_session"])):
        communicator, connected, _ = await open_socket(path, ORIGIN, await token_header(cast["viewer"]))
        assert connected
        assert (await communicator.receive_json_from(timeout=5))["seq"] == newest
        await communicator.disconnect()

    other = await subscribed("/ws/v1/queue/", cast["outsider"])  # the outsider's account has no events
    await other.disconnect()


async def test_the_queue_hello_carries_the_count_of_unclaimed_escalations_for_the_nav():
    cast = await team()
    await escalate(cast["session"], cast["junior"])
    handoff = await escalate(cast["second_session"], cast["junior"])
    await claim(handoff, cast["senior"])

    communicator, connected, _ = await open_socket("/ws/v1/queue/", ORIGIN, await token_header(cast["viewer"]))
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["open"] == 1
    await communicator.disconnect()
