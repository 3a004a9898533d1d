from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/v1/queue/", consumers.QueueConsumer.as_asgi()),
    path("ws/v1/sessions/<uuid:session_id>/", consumers.SessionConsumer.as_asgi()),
]
