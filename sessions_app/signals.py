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

``session_escalations``: sent as ``send(sender=TroubleshootingSession, sessions=[...])`` when
the API shows sessions; each receiver returns ``{session id: {"id": <uuid>, "status": <str>}}``
for the sessions that have a live (open or claimed) escalation, in one query for the whole
list (``handoffs`` answers). ``selectors.attach_live_escalations`` sends it.

``session_actions``: sent as ``send(sender=TroubleshootingSession, session=, user=)`` while
``selectors.session_actions`` lists what ``user`` may do to ``session`` now; each receiver
returns a set of action names from the rules alone, with no query (``handoffs`` adds
``escalate``).
"""

from django.dispatch import Signal

ACTIVITY_KINDS = ("message", "note", "fact", "fix", "flow_answer", "resolve", "return")

session_activity = Signal()
ticket_note_sections = Signal()
palette_items = Signal()
session_escalations = Signal(use_caching=True)
session_actions = Signal(use_caching=True)
