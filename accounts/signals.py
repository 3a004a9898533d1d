"""Signals accounts sends so the apps above it can contribute without accounts importing
them (docs/architecture.md#rooms-and-dependencies). Each app connects its receivers in ``AppConfig.ready()`` with a
``dispatch_uid``; tests connect their own receivers the same way.

- ``nav_items``: ``send(sender=User, user=user)``; a receiver returns a navigation item
  (``{"label", "url_name", "testid", "count"?}``) or None.
- ``starter_content``: ``send(sender=Account, account=account)`` for every new pilot account
  (create_pilot_account, seed_demo); a receiver loads idempotently and returns a line for
  the operator or None.
- ``demo_content``: ``send(sender=Account, accounts={slug: Account})`` from seed_demo, in
  INSTALLED_APPS order; same contract as ``starter_content``.
"""

from django.dispatch import Signal

nav_items = Signal()
starter_content = Signal()
demo_content = Signal()


def lines_of(responses) -> list[str]:
    """The non-empty lines receivers returned from ``Signal.send``."""
    return [line for _receiver, line in responses if line]
