"""Every state change of accounts, users, invitations and API tokens (docs/architecture.md#rooms-and-dependencies).

API views, pages, management commands and Django admin all call these functions, so a rule
such as "an account always keeps an admin" is written once.

``actor`` is the signed-in user a change is made for; it must be an admin of the account.
``actor=None`` is the platform path (Django admin, pilot commands): the caller has been
authorised already (admin permissions on an account-scoped queryset, or shell access),
and every other rule still applies.
"""

from .accounts import (
    account_create,
    account_next_event_seq,
    account_update,
    account_webhook_secret_rotate,
    user_create,
    user_password_set,
    user_update,
)
from .api_tokens import IssuedToken, api_token_authenticate, api_token_create, api_token_revoke
from .audit import staff_audit_record
from .invitations import (
    IssuedInvitation,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_issue,
    invitation_pending,
    invitation_resend,
    invitation_revoke,
    invitation_url,
)
from .pilot import (
    account_ensure,
    member_ensure,
    platform_staff_ensure,
    starter_content_load,
    starter_content_registered,
)
from .realtime_tickets import IssuedTicket, realtime_ticket_issue, realtime_ticket_redeem, realtime_tickets_end_login

__all__ = [
    "staff_audit_record",
    "IssuedInvitation",
    "IssuedTicket",
    "IssuedToken",
    "account_create",
    "account_next_event_seq",
    "account_ensure",
    "account_update",
    "account_webhook_secret_rotate",
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "invitation_accept",
    "invitation_create",
    "invitation_for_token",
    "invitation_issue",
    "invitation_pending",
    "invitation_resend",
    "invitation_revoke",
    "invitation_url",
    "member_ensure",
    "realtime_ticket_issue",
    "realtime_tickets_end_login",
    "realtime_ticket_redeem",
    "platform_staff_ensure",
    "starter_content_load",
    "starter_content_registered",
    "user_create",
    "user_password_set",
    "user_update",
]
