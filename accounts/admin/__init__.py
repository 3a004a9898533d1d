"""Django admin for platform staff (docs/architecture.md#pages).

Two rules hold for every admin of every app:

* **Scoped by account.** ``AccountScopedAdminMixin`` narrows each queryset, each foreign-key
  choice and each related-object filter to the staff member's own account; superusers see
  every account, and staff without an account see nothing tenant-owned. Another account's
  object is not found (the admin redirects to its index), never shown.
* **State changes go through services**, as in the API and the pages. Forms that create or
  change something call the service as their last validation step (``ServiceForm``), so a
  refusal is shown on the form; actions call services too. Platform staff are not admins of
  the account, so they use the services' platform path (``actor=None``).

Another app's admin reuses both::

    from accounts.admin import AccountScopedAdminMixin, ServiceAdmin

    @admin.register(Handoff)
    class HandoffAdmin(ServiceAdmin):          # or AccountScopedAdminMixin, admin.ModelAdmin
        account_path = "account"               # "session__account" for a session's children
"""

from .accounts import AccountAdmin
from .api_tokens import ApiTokenAdmin
from .audit import StaffAuditEntryAdmin
from .base import AccountScopedAdminMixin, ServiceAdmin, ServiceForm
from .invitations import InvitationAdmin
from .users import UserAdmin

__all__ = [
    "AccountAdmin",
    "AccountScopedAdminMixin",
    "ApiTokenAdmin",
    "InvitationAdmin",
    "ServiceAdmin",
    "ServiceForm",
    "StaffAuditEntryAdmin",
    "UserAdmin",
]
