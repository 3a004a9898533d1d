from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")
router.register("invitations", views.InvitationViewSet, basename="invitation")
router.register("auth/tokens", views.OwnTokenViewSet, basename="auth-token")

urlpatterns = [
    path("auth/token/", views.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/revoke/", views.TokenRevokeView.as_view(), name="auth-token-revoke"),
    # Before the router's invitations/<id>/ routes.
    path("invitations/accept/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation-accept"),
    path("realtime/ticket/", views.RealtimeTicketViewSet.as_view({"post": "create"}), name="realtime-ticket"),
    path("me/", views.MeViewSet.as_view({"get": "retrieve"}), name="me"),
    path("account/", views.AccountViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
         name="account"),
    *router.urls,
]
