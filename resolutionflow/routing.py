from django.urls import re_path

from accounts.realtime import NotFoundConsumer
from handoffs.routing import websocket_urlpatterns as handoff_routes

# Last: any other path is accepted and closed with 4404 (accounts.realtime.NotFoundConsumer).
websocket_urlpatterns = [*handoff_routes, re_path(r"", NotFoundConsumer.as_asgi())]
