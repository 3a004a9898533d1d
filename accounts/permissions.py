"""Role permissions (DESIGN.md §4). Membership of the account is checked for every one of them;
the same-account rule for objects comes from the scoped querysets, which make foreign
objects 404."""

from rest_framework.permissions import BasePermission

from .models import Role


class IsAccountMember(BasePermission):
    """Any active user of an account: viewer, engineer or admin."""

    roles = frozenset(Role.values)
    message = "You need to be a member of an account to use this."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active and user.account_id):
            return False
        if user.role not in self.roles:
            self.message = self.role_message
            return False
        return True

    role_message = message


class IsEngineerOrAdmin(IsAccountMember):
    roles = frozenset({Role.ENGINEER, Role.ADMIN})
    role_message = "Viewers have read-only access; this needs an engineer or an admin."


class IsAccountAdmin(IsAccountMember):
    roles = frozenset({Role.ADMIN})
    role_message = "Only an admin of this account may do this."
