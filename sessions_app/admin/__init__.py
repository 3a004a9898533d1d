"""Django admin for sessions_app: the flow library (edited with the same validation as an
import) and troubleshooting sessions (read-only: they change through the product).

Both reuse accounts' admin base (``AccountScopedAdminMixin`` through ``ServiceAdmin``), so a
staff member of one account never sees another account's rows. Flows add one rule of their
own: the global starter library is visible to every staff member and editable only by
superusers.
"""

from .flows import FlowAdmin
from .sessions import TroubleshootingSessionAdmin

__all__ = ["FlowAdmin", "TroubleshootingSessionAdmin"]
