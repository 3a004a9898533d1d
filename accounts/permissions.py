"""The API's role gates (docs/architecture.md#rules), each one predicate of ``accounts.rules``.

Viewsets declare one per action (``ScopedViewSetMixin.action_permissions``); the object
rules (may this user claim this escalation?) are enforced by the services the actions call,
with the same predicates. The same-account rule for objects comes from the scoped querysets,
which make foreign objects 404.
"""

from rest_framework.permissions import BasePermission

from . import rules


class RulePermission(BasePermission):
    """Allows a request when ``rule(request.user)`` is true."""

    message = "You need to be a member of an account to use this."
    role_message = message

    @staticmethod
    def rule(user) -> bool:  # pragma: no cover - every subclass sets its own
        raise NotImplementedError

    def has_permission(self, request, view):
        if not rules.is_member(request.user):
            self.message = RulePermission.message
            return False
        if not type(self).rule(request.user):
            self.message = self.role_message
            return False
        return True


class IsAccountMember(RulePermission):
    """Any active user of an account: viewer, engineer or admin."""

    rule = staticmethod(rules.is_member)


class IsEngineerOrAdmin(RulePermission):
    rule = staticmethod(rules.may_work)
    role_message = "Viewers have read-only access; this needs an engineer or an admin."


class IsAccountAdmin(RulePermission):
    rule = staticmethod(rules.is_admin)
    role_message = "Only an admin of this account may do this."
