from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("account/", views.account_manage, name="account_manage"),
    path("account/users/<uuid:user_id>/role/", views.user_role, name="account_user_role"),
    path("account/users/<uuid:user_id>/active/", views.user_active, name="account_user_active"),
    path("account/invitations/", views.invitation_create, name="account_invitation_create"),
    path("account/invitations/<uuid:invitation_id>/resend/", views.invitation_resend,
         name="account_invitation_resend"),
    path("account/invitations/<uuid:invitation_id>/revoke/", views.invitation_revoke,
         name="account_invitation_revoke"),
    path("account/settings/", views.account_settings, name="account_settings"),
]
