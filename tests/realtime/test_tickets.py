"""Websocket tickets: a browser on another origin authenticates a socket with ``?ticket=``
from ``POST /api/v1/realtime/ticket/``: single use, short-lived, bound to its user (and to
the token that asked for it), refused with 4401 otherwise."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from accounts import services as account_services
from accounts.models import ApiToken, RealtimeTicket
from accounts.tokens import digest
from tests.realtime.test_handoff_sockets import ORIGIN, open_socket, session_path, team
from tests.realtime.test_handoff_sockets import refused as refused_at

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def ticket_for(user, *, with_token=True, expires_at=None):
    """A ticket as the API issues it (by token, or by cookie when ``with_token`` is False);
    ``expires_at`` rewrites its expiry afterwards (a ticket issued in the past)."""
    token = account_services.api_token_create(user=user).token if with_token else None
    issued = account_services.realtime_ticket_issue(user=user, api_token=token)
    if expires_at is not None:
        RealtimeTicket.objects.filter(pk=issued.ticket.pk).update(expires_at=expires_at)
    return issued


async def opened(path, secret):
    communicator, connected, code = await open_socket(f"{path}?ticket={secret}", ORIGIN)
    assert connected, code
    hello = await communicator.receive_json_from(timeout=5)
    assert hello["event"] == "hello"
    return communicator, hello


async def refused(path, secret, *headers) -> int:
    """The close code of a socket opened with ``secret`` that must not open."""
    return await refused_at(f"{path}?ticket={secret}", *headers)


async def test_a_ticket_opens_the_queue_socket_as_its_user():
    cast = await team()
    issued = await ticket_for(cast["viewer"])
    communicator, hello = await opened("/ws/v1/queue/", issued.secret)
    assert hello["account"] == str(cast["viewer"].account_id)
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=5) == {"event": "pong"}
    await communicator.disconnect()


async def test_a_ticket_opens_a_session_socket_of_its_account():
    cast = await team()
    issued = await ticket_for(cast["senior"])
    communicator, hello = await opened(session_path(cast["session"]), issued.secret)
    assert hello["session"] == str(cast["session"].pk)
    await communicator.disconnect()


async def test_a_used_ticket_is_refused_with_4401():
    cast = await team()
    issued = await ticket_for(cast["senior"])
    communicator, _ = await opened("/ws/v1/queue/", issued.secret)
    assert await refused("/ws/v1/queue/", issued.secret, ORIGIN) == 4401
    await communicator.disconnect()


async def test_an_expired_ticket_is_refused_with_4401():
    cast = await team()
    issued = await ticket_for(cast["senior"], expires_at=timezone.now() - timedelta(seconds=1))
    assert await refused("/ws/v1/queue/", issued.secret, ORIGIN) == 4401
    stored = await database_sync_to_async(RealtimeTicket.objects.get)(pk=issued.ticket.pk)
    assert stored.used_at is None


@pytest.mark.parametrize("secret", ["", "not-a-ticket", "x" * 500])
async def test_an_unknown_or_empty_ticket_is_refused_with_4401(secret):
    assert await refused("/ws/v1/queue/", secret, ORIGIN) == 4401


async def test_a_bad_ticket_does_not_fall_back_to_the_cookie():
    from tests.realtime.test_handoff_sockets import cookie_header

    cast = await team()
    assert await refused("/ws/v1/queue/", "not-a-ticket", ORIGIN, await cookie_header(cast["senior"])) == 4401


async def test_another_users_ticket_cannot_open_a_session_of_an_account_it_is_not_in():
    cast = await team()
    issued = await ticket_for(cast["outsider"])
    assert await refused(session_path(cast["session"]), issued.secret, ORIGIN) == 4404


async def test_a_ticket_of_a_person_deactivated_since_is_refused():
    cast = await team()
    issued = await ticket_for(cast["senior"])
    await database_sync_to_async(lambda: account_services.user_update(
        user=cast["senior"], actor=cast["admin"], is_active=False))()
    assert await refused("/ws/v1/queue/", issued.secret, ORIGIN) == 4401


async def test_a_ticket_of_a_token_revoked_since_is_refused():
    cast = await team()
    issued = await ticket_for(cast["senior"])
    await database_sync_to_async(lambda: account_services.api_token_revoke(
        token=ApiToken.objects.get(pk=issued.ticket.api_token_id)))()
    assert await refused("/ws/v1/queue/", issued.secret, ORIGIN) == 4401


async def test_revoking_the_token_that_asked_closes_the_ticket_socket_with_4401():
    cast = await team()
    issued = await ticket_for(cast["senior"])
    communicator, _ = await opened("/ws/v1/queue/", issued.secret)
    await database_sync_to_async(lambda: account_services.api_token_revoke(
        token=ApiToken.objects.get(pk=issued.ticket.api_token_id)))()
    message = await communicator.receive_output(timeout=5)
    assert message["type"] == "websocket.close" and message["code"] == 4401


async def test_a_cookie_issued_ticket_opens_a_socket_that_deactivation_closes():
    cast = await team()
    issued = await ticket_for(cast["senior"], with_token=False)
    assert issued.ticket.api_token_id is None
    communicator, _ = await opened("/ws/v1/queue/", issued.secret)
    await database_sync_to_async(lambda: account_services.user_update(
        user=cast["senior"], actor=cast["admin"], is_active=False))()
    message = await communicator.receive_output(timeout=5)
    assert message["type"] == "websocket.close" and message["code"] == 4401


@pytest.mark.django_db
def test_only_the_digest_is_stored(engineer):
    issued = account_services.realtime_ticket_issue(user=engineer)
    row = RealtimeTicket.objects.filter(pk=issued.ticket.pk).values().get()
    assert row["digest"] == digest(issued.secret)
    assert issued.secret not in repr(row)


@pytest.mark.parametrize("stray", ["hello?", "not json {", "[1, 2", "\u0000"])
async def test_a_stray_frame_is_ignored_and_the_socket_stays_open(stray):
    cast = await team()
    issued = await ticket_for(cast["senior"])
    communicator, _hello = await opened("/ws/v1/queue/", issued.secret)
    await communicator.send_to(text_data=stray)
    await communicator.send_to(bytes_data=b"\x00\xff")
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=5) == {"event": "pong"}
    await communicator.disconnect()


@pytest.mark.parametrize("path", ["/ws/v1/sessions/not-a-uuid/", "/ws/v1/nope/", "/ws/v2/queue/"])
async def test_a_path_no_socket_has_closes_with_4404_after_the_handshake(path):
    cast = await team()
    issued = await ticket_for(cast["senior"])
    assert await refused(path, issued.secret) == 4404
