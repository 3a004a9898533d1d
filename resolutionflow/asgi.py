"""HTTP and websockets in one ASGI app, served by Daphne.

Websockets pass the allowed-hosts Origin check, then authentication by session cookie
(pages) or ``Authorization: Token <key>`` (API clients); consumers refuse anonymous users
before accepting.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resolutionflow.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from accounts.realtime import WebsocketAuthMiddleware  # noqa: E402
from resolutionflow.routing import websocket_urlpatterns  # noqa: E402
from resolutionflow.serving import budgeted  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": budgeted(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(
            WebsocketAuthMiddleware(URLRouter(websocket_urlpatterns))
        ),
    }
)
