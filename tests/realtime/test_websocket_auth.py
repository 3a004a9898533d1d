"""Websockets: only authenticated users of an account, only from allowed origins (no Origin
for API clients, the site's own, the handshake's own host, or ``CORS_ALLOWED_ORIGINS``).
Every refusal is a close code after the handshake: 4401, 4403, 4404."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from accounts import services
from handoffs.events import account_group
from resolutionflow.asgi import application
from tests.factories import AccountFactory, UserFactory
from tests.realtime.test_handoff_sockets import refused, with_host

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1")


@sync_to_async
def make_user(role="engineer", account=True):
    return UserFactory(role=role, account=AccountFactory() if account else None)


@sync_to_async
def token_for(user):
    return services.api_token_create(user=user).key


@sync_to_async
def session_cookie_for(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}".encode()


async def connect(headers):
    communicator = WebsocketCommunicator(application, "/ws/v1/queue/", headers=with_host(headers))
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


async def test_an_anonymous_socket_is_refused_with_4401():
    assert await refused("/ws/v1/queue/", ORIGIN) == 4401


async def test_a_foreign_origin_is_refused_with_4403_even_with_a_valid_token():
    user = await make_user()
    key = await token_for(user)
    assert await refused("/ws/v1/queue/", (b"origin", b"https://evil.example"),
                         (b"authorization", f"Token {key}".encode())) == 4403


async def test_a_foreign_origin_is_refused_with_4403_before_credentials_are_read():
    """Anonymous or not, the same code: a foreign page learns nothing about who is signed in."""
    assert await refused("/ws/v1/queue/", (b"origin", b"https://evil.example")) == 4403


@pytest.mark.parametrize("origin", [b"null", b"file://", b"http://127.0.0.1.evil.example", b"http://127.0.0.1:9999",
                                    b"not an origin", b"http://127.0.0.1/page"])
async def test_look_alike_origins_are_foreign(origin):
    user = await make_user()
    key = await token_for(user)
    assert await refused("/ws/v1/queue/", (b"origin", origin), (b"host", b"127.0.0.1"),
                         (b"authorization", f"Token {key}".encode())) == 4403


async def test_no_origin_header_is_an_api_client_and_is_allowed():
    user = await make_user()
    key = await token_for(user)
    communicator, connected, _ = await connect([(b"authorization", f"Token {key}".encode())])
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["event"] == "hello"
    await communicator.disconnect()


async def test_an_origin_in_cors_allowed_origins_is_allowed(settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    user = await make_user()
    key = await token_for(user)
    communicator, connected, _ = await connect([(b"origin", b"https://app.example.com"), (b"host", b"api.example.com"),
                                                (b"authorization", f"Token {key}".encode())])
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["event"] == "hello"
    await communicator.disconnect()


async def test_the_sites_own_origin_is_allowed_whatever_the_host_header(settings):
    settings.SITE_URL = "https://rf.example.com"
    user = await make_user()
    key = await token_for(user)
    communicator, connected, _ = await connect([(b"origin", b"https://RF.example.com:443"),
                                                (b"host", b"10.0.0.5:8000"),
                                                (b"authorization", f"Token {key}".encode())])
    assert connected
    await communicator.disconnect()


async def test_a_page_of_the_handshakes_own_host_is_allowed_only_if_that_host_is_allowed(settings):
    settings.ALLOWED_HOSTS = ["rf.internal"]
    user = await make_user()
    key = await token_for(user)
    auth = (b"authorization", f"Token {key}".encode())
    communicator, connected, _ = await connect([(b"origin", b"http://rf.internal:8000"),
                                                (b"host", b"rf.internal:8000"), auth])
    assert connected
    await communicator.disconnect()
    # A host name pointed at us by someone else (DNS rebinding) is not our own origin.
    assert await refused("/ws/v1/queue/", (b"origin", b"http://evil.example:8000"),
                         (b"host", b"evil.example:8000"), auth) == 4403


async def test_an_api_client_connects_with_a_token_header():
    user = await make_user()
    key = await token_for(user)
    communicator, connected, _ = await connect([ORIGIN, (b"authorization", f"Token {key}".encode())])
    assert connected
    hello = await communicator.receive_json_from(timeout=5)
    assert hello == {"event": "hello", "account": str(user.account_id), "seq": 0, "open": 0}
    await communicator.disconnect()


async def test_a_bad_token_does_not_fall_back_to_the_cookie():
    user = await make_user()
    cookie = await session_cookie_for(user)
    assert await refused("/ws/v1/queue/", ORIGIN, (b"cookie", cookie), (b"authorization", b"Token not-a-key")) == 4401


async def test_a_page_connects_with_its_session_cookie():
    user = await make_user(role="viewer")
    cookie = await session_cookie_for(user)
    communicator, connected, _ = await connect([ORIGIN, (b"cookie", cookie)])
    assert connected
    await communicator.disconnect()


async def test_platform_staff_without_an_account_are_refused():
    user = await make_user(account=False)
    key = await token_for(user)
    assert await refused("/ws/v1/queue/", ORIGIN, (b"authorization", f"Token {key}".encode())) == 4401


async def test_events_reach_only_sockets_of_the_same_account():
    from channels.layers import get_channel_layer

    ours, theirs = await make_user(), await make_user()
    sockets = []
    for user in (ours, theirs):
        key = await token_for(user)
        communicator, connected, _ = await connect([ORIGIN, (b"authorization", f"Token {key}".encode())])
        assert connected
        await communicator.receive_json_from(timeout=5)  # hello
        sockets.append(communicator)
    await get_channel_layer().group_send(
        account_group(ours.account_id), {"type": "realtime.event", "payload": {"event": "probe", "seq": 1}}
    )
    assert await sockets[0].receive_json_from(timeout=5) == {"event": "probe", "seq": 1}
    assert await sockets[1].receive_nothing(timeout=0.5)
    for communicator in sockets:
        await communicator.disconnect()


@pytest.mark.skipif(not settings.REDIS_URL, reason="idle timeout applies to the Redis layer (CI sets REDIS_URL)")
async def test_an_idle_socket_stays_open_past_the_redis_read_timeout():
    """redis-py's default 5 s socket timeout would close idle sockets with 1011 (TOOLCHAIN.md)."""
    user = await make_user()
    key = await token_for(user)
    communicator, connected, _ = await connect([ORIGIN, (b"authorization", f"Token {key}".encode())])
    assert connected
    await communicator.receive_json_from(timeout=5)
    assert await communicator.receive_nothing(timeout=6.5)
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=5) == {"event": "pong"}
    await communicator.disconnect()
