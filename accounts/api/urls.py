from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")
router.register("invitations", views.InvitationViewSet, basename="invitation")

urlpatterns = [
    path("auth/token/", views.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/revoke/", views.TokenRevokeView.as_view(), name="auth-token-revoke"),
    path("realtime/ticket/", views.RealtimeTicketViewSet.as_view({"post": "create"}), name="realtime-ticket"),
    path("me/", views.MeViewSet.as_view({"get": "retrieve"}), name="me"),
    path("account/", views.AccountViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
         name="account"),
    *router.urls,
]
