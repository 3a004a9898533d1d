"""HTTP and websockets in one ASGI app, served by Daphne.

Websockets pass our Origin check (``accounts.realtime.OriginValidator``: no Origin, the
site's own, the handshake's own host, or ``CORS_ALLOWED_ORIGINS``), then authentication by
session cookie (pages), ``Authorization: Token <key>`` (API clients) or ``?ticket=`` (browsers
on another origin). Every refusal accepts the handshake and closes with 4401, 4403 or 4404,
so a browser's ``onclose`` can read the code.
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resolutionflow.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from accounts.realtime import OriginValidator, WebsocketAuthMiddleware  # noqa: E402
from resolutionflow.routing import websocket_urlpatterns  # noqa: E402
from resolutionflow.serving import budgeted  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": budgeted(django_asgi_app),
        "websocket": OriginValidator(
            WebsocketAuthMiddleware(URLRouter(websocket_urlpatterns))
        ),
    }
)

# Everything imported and built at start-up (Django, DRF, the URL resolver, the schema) lives
# as long as the process: move it out of the cyclic collector's generations, so a full
# collection does not walk it on a request or a push (the gc.freeze() recipe of Python's docs).
gc.freeze()
