"""Signals sessions_app sends, so apps above it can react without sessions_app importing them
(docs/architecture.md#rooms-and-dependencies: ``handoffs`` → ``sessions_app`` → ``accounts``).

``session_activity``: sent as ``send(sender=TroubleshootingSession, session=, actor=, kind=)``
inside the transaction of every write a person makes in a session, after the session row is
locked (``kind`` is one of ``ACTIVITY_KINDS``). ``handoffs`` listens to stamp an escalation's
first action and to close its live escalation when the session is resolved. Receivers run in
the writer's transaction, so an exception in one rolls the write back: nothing is lost
silently.

``ticket_note_sections``: sent as ``send(sender=TroubleshootingSession, session=)`` while the
ticket note is drafted (``services.session_preview``); each receiver returns a list of
``(heading, [line, ...])`` sections to add before the resolution (``handoffs`` adds the
escalation: who raised and picked it up, what they found, the coaching note).

``palette_items``: sent as ``send(sender=User, user=)`` when the command palette lists what a
user may open; each receiver returns a list of items shaped like the palette's own
(``{"id", "label", "group", "url", "hint", "keywords"}``: ``handoffs`` adds the Escalation
Queue and the open escalations).
"""

from django.dispatch import Signal

ACTIVITY_KINDS = ("message", "note", "fact", "fix", "flow_answer", "resolve", "return")

session_activity = Signal()
ticket_note_sections = Signal()
palette_items = Signal()
