"""Walks the URL router: every API view is tenant-scoped and declares roles per action."""

import pytest
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from accounts.api.base import ScopedViewSetMixin
from accounts.api.views import InvitationAcceptView, TokenObtainView, TokenRevokeView
from resolutionflow.api.asyncapi import AsyncApiView

from .endpoints import api_endpoints

# Views that hold no tenant data, each with the reason it is allowed to skip the scoped base.
NOT_TENANT_DATA = {
    TokenObtainView: "exchanges a password for a key; no account data",
    TokenRevokeView: "acts only on the caller's own tokens (filtered by request.user)",
    InvitationAcceptView: "the invitation is found by its secret link alone, whoever calls (no account yet)",
    SpectacularAPIView: "the OpenAPI schema",
    AsyncApiView: "the AsyncAPI document of the websockets (public, like the OpenAPI schema)",
    SpectacularSwaggerSplitView: "API docs page (its start-up script served as a file, for the CSP)",
    SpectacularRedocView: "API docs page",
}


def test_the_router_exposes_api_endpoints():
    assert len(list(api_endpoints())) >= 10


@pytest.mark.parametrize(
    ("name", "method", "view_class", "action"),
    list(api_endpoints()),
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_every_api_endpoint_is_scoped_and_declares_its_roles(name, method, view_class, action):
    if view_class in NOT_TENANT_DATA:
        return
    assert issubclass(view_class, ScopedViewSetMixin), f"{view_class.__name__} is not tenant-scoped"
    assert "scoped_queryset" in {
        attr for klass in view_class.__mro__ if klass is not ScopedViewSetMixin for attr in vars(klass)
    }, f"{view_class.__name__} does not define scoped_queryset"
    assert view_class.model is not None, f"{view_class.__name__} does not name its model"
    assert action in view_class.action_permissions, (
        f"{view_class.__name__}.{action} ({method.upper()} {name}) declares no roles"
    )


def test_an_action_without_declared_roles_fails_loudly(rf, engineer):
    from django.core.exceptions import ImproperlyConfigured
    from rest_framework.test import force_authenticate

    from accounts.api.views import UserViewSet

    class Forgetful(UserViewSet):
        action_permissions = {"list": UserViewSet.action_permissions["list"]}

    request = rf.get("/api/v1/users/x/")
    force_authenticate(request, user=engineer)
    view = Forgetful.as_view({"get": "retrieve"})
    with pytest.raises(ImproperlyConfigured, match="declares no roles for 'retrieve'"):
        view(request, pk=str(engineer.pk))
