"""The one base every tenant API view inherits (docs/architecture.md#tenancy and #rules).

* ``get_queryset`` starts from ``scoped_queryset(account=...)`` with the requesting user's
  account, so ``get_object`` on another account's id is a 404.
* ``action_permissions`` maps every action to its permission classes; an action without an
  entry fails loudly instead of falling back to a default.
* A write's body is parsed once the caller is allowed, before the action runs, whether the
  action reads it or not: malformed or oversized JSON is a 400 (``parse_error``) or 413
  that changes nothing, never ignored by an action that takes no body.
"""

from django.core.exceptions import ImproperlyConfigured
from rest_framework import viewsets

from accounts.permissions import IsAccountMember
from resolutionflow.api.parsers import WRITE_METHODS


class ScopedViewSetMixin:
    action_permissions: dict[str, list] = {}
    # Query parameters a list reads itself, outside its filter set (resolutionflow.api.filters).
    query_parameters: tuple[str, ...] = ()
    # The model the scoped queryset returns; used only to describe the API without a user.
    model = None

    def get_permissions(self):
        action = getattr(self, "action", None)
        if action is None:
            # OPTIONS/HEAD with no mapped action, or method not allowed: membership only.
            return [IsAccountMember()]
        if action == "metadata":
            return [IsAccountMember()]
        try:
            classes = self.action_permissions[action]
        except KeyError as exc:
            raise ImproperlyConfigured(
                f"{type(self).__name__}.action_permissions declares no roles for {action!r}"
            ) from exc
        return [permission() for permission in classes]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in WRITE_METHODS:
            request.data  # noqa: B018  (parsing raises ParseError / RequestDataTooBig here)

    @property
    def account(self):
        return self.request.user.account

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model._default_manager.none()
        return self.scoped_queryset(account=self.account)

    def scoped_queryset(self, *, account):
        raise NotImplementedError(f"{type(self).__name__} must define scoped_queryset(account=...)")


class ScopedGenericViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    lookup_value_converter = "uuid"
