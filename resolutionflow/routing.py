from handoffs.routing import websocket_urlpatterns as handoff_routes

websocket_urlpatterns = [*handoff_routes]
