"""Signals accounts sends so the apps above it can contribute without accounts importing
them (docs/architecture.md#rooms-and-dependencies). Each app connects its receivers in ``AppConfig.ready()`` with a
``dispatch_uid``; tests connect their own receivers the same way.

- ``nav_items``: ``send(sender=User, user=user, counts=bool)``; a receiver returns a navigation
  item (``{"label", "url_name", "testid", "count"?}``, the count only when ``counts``) or None.
- ``starter_content``: ``send(sender=Account, account=account)`` for every new pilot account
  (create_pilot_account, seed_demo); a receiver loads idempotently and returns a line for
  the operator or None.
- ``demo_content``: ``send(sender=Account, accounts={slug: Account})`` from seed_demo, in
  INSTALLED_APPS order; same contract as ``starter_content``.
- ``account_sections``: ``send(sender=Account, request=request)`` when Account Management is
  shown; a receiver returns a section for this admin (``{"template", "anchor", "label",
  "testid", ...}``; the template is included with the dict as ``section``) or None.
- ``member_access_changed``: ``send(sender=User, user=user, actor=actor, reason=...)`` inside
  the transaction of ``accounts.services.user_update`` when a member is deactivated
  (``reason="deactivated"``) or their role changes (``reason="role_changed"``): handoffs puts
  back on the queue what they can no longer act on, and live sockets re-check their access.
"""

from django.dispatch import Signal

nav_items = Signal()
starter_content = Signal()
demo_content = Signal()
member_access_changed = Signal()
account_sections = Signal()


def lines_of(responses) -> list[str]:
    """The non-empty lines receivers returned from ``Signal.send``."""
    return [line for _receiver, line in responses if line]
