"""A socket closes when the credentials it was opened with expire on their own (before, an
expired API token's or cookie login's socket went on receiving escalations until the page
was left): a token header, a ticket a token asked for, a cookie, and a ticket a cookie login
asked for each close with 4401 at their expiry; a login saved meanwhile lives on. A ticket
issued in a race with its login's logout is refused, and the socket's first look at its
credentials, right after it joined its groups, sees an end it missed while opening."""

import asyncio
import uuid
from datetime import timedelta
from functools import partial

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from accounts import services, sockets
from accounts.models import ApiToken, RealtimeTicket, User
from accounts.sockets import credentials_expire_at
from handoffs.consumers import QueueConsumer
from tests.realtime.test_credentials_close_sockets import (
    cookie_ticket,
    new_token,
    open_queue,
    open_queue_with_ticket,
    signed_in_client,
)
from tests.realtime.test_handoff_sockets import ORIGIN, refused, team

pytestmark = pytest.mark.django_db(transaction=True)
SOON = timedelta(seconds=1)
# From the expiry to the close: the watch wakes at the expiry, asks the database once and closes.
CLOSE_WITHIN = 5  # seconds


async def closed_at_expiry(communicator, expires_at) -> int:
    message = await communicator.receive_output(timeout=CLOSE_WITHIN)
    assert message["type"] == "websocket.close", message
    assert timezone.now() >= expires_at, "closed before its credentials expired"
    return message["code"]


@database_sync_to_async
def token_expiring(token, at):
    ApiToken.objects.filter(pk=token.pk).update(expires_at=at)


@database_sync_to_async
def login_expiring(client: Client, at):
    Session.objects.filter(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value).update(expire_date=at)


def cookie_of(client: Client):
    return b"cookie", f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


def token_ticket(key: str) -> str:
    response = Client().post("/api/v1/realtime/ticket/", "{}", content_type="application/json",
                             HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 201, response.content
    return response.json()["ticket"]


async def credentials(person, kind: str):
    """``(open_socket, expire_at)`` for a socket of ``person`` opened with ``kind``: a token
    header, a ticket a token asked for, a cookie, or a ticket a cookie login asked for."""
    if kind.startswith("token"):
        token, header = await new_token(person)
        expire_at = partial(token_expiring, token)
        if kind == "token":
            return partial(open_queue, header), expire_at
        ticket = await database_sync_to_async(token_ticket)(header[1].decode().split(" ", 1)[1])
        return partial(open_queue_with_ticket, ticket), expire_at
    login = await database_sync_to_async(signed_in_client)(person)
    expire_at = partial(login_expiring, login)
    if kind == "cookie":
        return partial(open_queue, cookie_of(login)), expire_at
    ticket = await database_sync_to_async(cookie_ticket)(login)
    return partial(open_queue_with_ticket, ticket), expire_at


@pytest.mark.parametrize("kind", ["token", "token ticket", "cookie", "cookie ticket"])
async def test_a_socket_closes_when_its_credentials_expire(kind):
    cast = await team()
    open_socket, expire_at = await credentials(cast["senior"], kind)
    expires_at = timezone.now() + SOON
    await expire_at(expires_at)
    socket = await open_socket()
    assert await closed_at_expiry(socket, expires_at) == 4401


async def test_a_cookie_logins_ticket_follows_the_login_saved_meanwhile():
    cast = await team()
    login = await database_sync_to_async(signed_in_client)(cast["senior"])
    await login_expiring(login, timezone.now() + SOON)
    socket = await open_queue_with_ticket(await database_sync_to_async(cookie_ticket)(login))
    expires_at = timezone.now() + 2 * SOON
    await login_expiring(login, expires_at)  # saved again after the ticket was issued
    assert await closed_at_expiry(socket, expires_at) == 4401


async def test_a_ticket_issued_in_a_race_with_the_logout_is_refused():
    # The logout deleted the login's unused tickets, then a ticket request that had read the
    # cookie just before created one: before, it opened a socket bound to an ended login.
    cast = await team()
    login = await database_sync_to_async(signed_in_client)(cast["senior"])
    ticket = await database_sync_to_async(cookie_ticket)(login)
    await database_sync_to_async(Session.objects.filter(
        session_key=login.cookies[settings.SESSION_COOKIE_NAME].value).delete)()  # the rest of the flush
    assert await refused(f"/ws/v1/queue/?ticket={ticket}", ORIGIN) == 4401


@pytest.mark.django_db
def test_redeem_refuses_a_ticket_whose_login_has_ended(engineer):
    login = signed_in_client(engineer)
    ticket = cookie_ticket(login)
    Session.objects.filter(session_key=login.cookies[settings.SESSION_COOKIE_NAME].value).delete()
    assert services.realtime_ticket_redeem(secret=ticket) is None

    expired = signed_in_client(engineer)
    ticket = cookie_ticket(expired)
    Session.objects.filter(session_key=expired.cookies[settings.SESSION_COOKIE_NAME].value).update(
        expire_date=timezone.now() - SOON)
    assert services.realtime_ticket_redeem(secret=ticket) is None

    live = signed_in_client(engineer)
    redeemed = services.realtime_ticket_redeem(secret=cookie_ticket(live))
    assert redeemed.session_key == live.cookies[settings.SESSION_COOKIE_NAME].value
    # Used, the ticket no longer keeps the login's key (the socket's scope has it).
    assert RealtimeTicket.objects.get(pk=redeemed.pk).session_key == ""


@pytest.mark.django_db(transaction=True)
def test_a_logout_deletes_the_login_before_its_sockets_are_told(engineer, monkeypatch):
    # Before: the close went out, then the row was deleted; a socket joining in between found
    # the login still there at its first look and stayed open.
    login = signed_in_client(engineer)
    seen = []

    def login_ended(session_key, *, reason):
        seen.append(Session.objects.filter(session_key=session_key).exists())
        return sockets.login_ended(session_key, reason=reason)

    monkeypatch.setattr("accounts.session_store.login_ended", login_ended)
    response = login.post("/logout/", HTTP_X_CSRFTOKEN=login.cookies["csrftoken"].value)
    assert response.status_code == 302
    assert seen == [False]


async def test_a_socket_whose_token_is_revoked_while_it_opens_closes_at_its_first_look(monkeypatch):
    # The revocation's close goes to the token's group before this socket has joined it.
    cast = await team()
    token, header = await new_token(cast["senior"])
    joining = QueueConsumer.get_groups

    async def revoked_meanwhile(consumer):
        await database_sync_to_async(services.api_token_revoke)(token=await database_sync_to_async(
            ApiToken.objects.get)(pk=token.pk))
        return await joining(consumer)

    monkeypatch.setattr(QueueConsumer, "get_groups", revoked_meanwhile)
    socket = await open_queue(header)
    message = await socket.receive_output(timeout=CLOSE_WITHIN)
    while message["type"] == "websocket.send":  # the hello goes out before the first look
        message = await socket.receive_output(timeout=CLOSE_WITHIN)
    assert message["type"] == "websocket.close" and message["code"] == 4401, message


async def test_a_later_look_that_fails_closes_the_socket_and_says_why(monkeypatch, caplog):
    cast = await team()
    token, header = await new_token(cast["senior"])
    await token_expiring(token, timezone.now() + SOON)
    looks = []
    real = sockets.credentials_expire_at

    def database_gone_at_the_second_look(**credentials):
        looks.append(credentials)
        if len(looks) > 1:
            raise OperationalError("the database server is restarting")
        return real(**credentials)

    monkeypatch.setattr(sockets, "credentials_expire_at", database_gone_at_the_second_look)
    socket = await open_queue(header)
    message = await socket.receive_output(timeout=CLOSE_WITHIN)
    assert message["type"] == "websocket.close" and message["code"] == 1011, message
    assert len(looks) == 2
    assert "its credentials could not be looked at" in caplog.text


async def test_a_ticket_of_an_expired_login_is_refused():
    cast = await team()
    login = await database_sync_to_async(signed_in_client)(cast["senior"])
    ticket = await database_sync_to_async(cookie_ticket)(login)
    await login_expiring(login, timezone.now() - SOON)
    assert await refused(f"/ws/v1/queue/?ticket={ticket}", ORIGIN) == 4401


async def test_a_login_saved_meanwhile_keeps_its_socket_past_the_first_expiry():
    cast = await team()
    login = await database_sync_to_async(signed_in_client)(cast["senior"])
    first_expiry = timezone.now() + SOON
    await login_expiring(login, first_expiry)
    socket = await open_queue(cookie_of(login))
    await login_expiring(login, timezone.now() + timedelta(hours=1))  # the session was saved again

    # Nothing to await but the clock: the watch wakes at the first expiry and asks again.
    await asyncio.sleep((first_expiry - timezone.now()).total_seconds() + 0.5)
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from(timeout=5))["event"] == "pong"
    await socket.disconnect()


@pytest.mark.django_db
def test_credentials_that_ended_expire_now(engineer):
    issued = services.api_token_create(user=engineer, name="board")
    login = signed_in_client(engineer)
    session_key = login.cookies[settings.SESSION_COOKIE_NAME].value
    by_token = {"user_id": engineer.pk, "api_token_id": issued.token.pk}
    by_login = {"user_id": engineer.pk, "session_key": session_key}
    assert credentials_expire_at(**by_token) == issued.token.expires_at
    assert credentials_expire_at(**by_login) == Session.objects.get(session_key=session_key).expire_date
    assert credentials_expire_at(user_id=engineer.pk) is None

    services.api_token_revoke(token=issued.token)
    assert credentials_expire_at(**by_token) <= timezone.now()
    assert credentials_expire_at(user_id=engineer.pk, api_token_id=uuid.uuid4()) <= timezone.now()  # deleted
    assert credentials_expire_at(user_id=engineer.pk, session_key="no-such-login") <= timezone.now()
    assert credentials_expire_at(user_id=uuid.uuid4(), session_key=session_key) <= timezone.now()  # not theirs


@pytest.mark.django_db
def test_a_new_password_or_a_deactivation_ends_the_login_and_the_token_at_once(engineer):
    # What the watch's first look sees when the group's close was sent before the socket joined.
    token = services.api_token_create(user=engineer, name="board").token
    login = signed_in_client(engineer)
    by_login = {"user_id": engineer.pk, "session_key": login.cookies[settings.SESSION_COOKIE_NAME].value}
    engineer.set_password("a-new-long-pass-1984")
    engineer.save()
    assert credentials_expire_at(**by_login) <= timezone.now()
    assert credentials_expire_at(user_id=engineer.pk, api_token_id=token.pk) > timezone.now()
    User.objects.filter(pk=engineer.pk).update(is_active=False)
    assert credentials_expire_at(user_id=engineer.pk, api_token_id=token.pk) <= timezone.now()
