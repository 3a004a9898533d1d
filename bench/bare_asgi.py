"""The reference of bench/push.py and bench/memory.py: a bare Channels app on the same stack as
the product (Daphne started by scripts/serve, the channel layer the settings choose from
``REDIS_URL``), without authentication, the database or any product code.

    scripts/serve --app bench.bare_asgi:application

- websocket ``/ws/bare/<group>/``: joins the group, greets with ``{"event": "hello"}`` and
  forwards every frame published to the group;
- ``POST /bare/publish/<group>/``: one ``group_send`` of ``{"event": "handoff.created",
  "occurred_at": <now, ISO 8601>, "handoff": {"id": <new uuid>}}`` and then ``201 {"id": ...}``
  (the product publishes its frame on commit, before the POST returns, the same way);
- ``GET /healthz``: 200, so the benchmarks' server start-up check works unchanged.
"""

import json
import os
import uuid
from datetime import UTC, datetime

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resolutionflow.settings")

import django  # noqa: E402

django.setup()

from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402


class BareConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.group = f"bare-{self.scope['url_route']['kwargs']['group']}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"event": "hello"})

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def bare_event(self, message):
        await self.send_json(message["frame"])


async def _respond(send, status: int, body: dict) -> None:
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})


async def http_app(scope, receive, send):
    more = True
    while more:  # read the whole request body first
        message = await receive()
        more = message.get("more_body", False)
    parts = scope["path"].strip("/").split("/")
    if scope["path"] == "/healthz":
        await _respond(send, 200, {"status": "ok"})
    elif scope["method"] == "POST" and len(parts) == 3 and parts[:2] == ["bare", "publish"]:
        handoff_id = str(uuid.uuid4())
        frame = {"event": "handoff.created", "occurred_at": datetime.now(UTC).isoformat(),
                 "handoff": {"id": handoff_id}}
        await get_channel_layer().group_send(f"bare-{parts[2]}", {"type": "bare.event", "frame": frame})
        await _respond(send, 201, {"id": handoff_id})
    else:
        await _respond(send, 404, {"detail": "Not found.", "code": "not_found"})


application = ProtocolTypeRouter({
    "http": http_app,
    "websocket": URLRouter([path("ws/bare/<str:group>/", BareConsumer.as_asgi())]),
})
