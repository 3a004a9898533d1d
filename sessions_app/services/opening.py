"""The assistant answers the opening of an Assistant session (issue 13).

``session_create`` writes the session and its first technician message (the problem) in one
short transaction; this runs the assistant on the title and problem afterwards, outside it,
and stores the reply, the facts and any proposals in a second short transaction, exactly as
``message_post`` does for every later message, so a slow provider never holds a lock.
"""

from sessions_app import assistant
from sessions_app.models import Message, MessageKind, SessionMode, TroubleshootingSession

from .messages import PostedMessage, _context, _save_reply


def session_answer_opening(*, session: TroubleshootingSession) -> PostedMessage | None:
    """Answer the opening (title + problem) of a new Assistant session.

    Returns what it produced (``reply``, ``notice``, ``facts``, ``fixes``; ``message`` is the
    problem line, or None when the session was opened with a title only), or None for a
    FlowPilot session. Raises nothing of its own: the built-in assistant's bugs propagate, a
    configured provider's failure falls back with a notice (``assistant.respond``).
    """
    if session.mode != SessionMode.ASSISTANT:
        return None
    first = (Message.objects.for_account(session.account).filter(session=session, kind=MessageKind.TECH)
             .order_by("created_at").first())
    if first is None:
        # Opened with a title only: the title is the whole opening.
        context = _context(session, "", None)
    else:
        context = _context(session, first.body, first)
    reply = assistant.respond(context)
    posted = PostedMessage(message=first)
    _save_reply(session, reply, posted)
    return posted
