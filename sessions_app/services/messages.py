"""The transcript: technician messages (answered by the assistant in Assistant sessions),
notes, and system lines."""

import logging
from dataclasses import dataclass, field

from django.db import transaction

from accounts.errors import ServiceError
from accounts.models import User
from sessions_app import assistant, events
from sessions_app.assistant.base import AssistantReply, ConversationContext, FixSummary
from sessions_app.models import Fact, FactSource, Fix, Message, MessageKind, SessionMode, TroubleshootingSession

from .access import session_activity_send, session_for_write, session_lock
from .facts_fixes import fact_upsert, fix_create
from .sessions import touch

logger = logging.getLogger("sessions_app.services")

MESSAGE_MAX = 10_000
TRANSCRIPT_FOR_ASSISTANT = 30


@dataclass
class PostedMessage:
    """What one technician message produced: itself, the assistant's reply (Assistant
    sessions), a notice when the configured assistant failed, and the facts and fixes added."""

    message: Message
    reply: Message | None = None
    notice: Message | None = None
    facts: list[Fact] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)


def _context(session: TroubleshootingSession, text: str, before: Message | None) -> ConversationContext:
    recent = [] if before is None else list(
        Message.objects.for_account(session.account).filter(session=session, created_at__lt=before.created_at)
        .exclude(pk=before.pk).order_by("-created_at").values_list("kind", "body")[:TRANSCRIPT_FOR_ASSISTANT]
    )
    facts = dict(Fact.objects.for_account(session.account).filter(session=session).values_list("key", "value"))
    fixes = tuple(FixSummary(title, status, note) for title, status, note in
                  Fix.objects.for_account(session.account).filter(session=session)
                  .values_list("title", "status", "outcome_note"))
    return ConversationContext(
        account_id=session.account_id, session_id=session.pk, mode=session.mode, title=session.title,
        problem=session.problem, client_name=session.client_name, transcript=tuple(reversed(recent)),
        facts=facts, fixes=fixes, message=text,
    )


def message_post(*, session: TroubleshootingSession, actor: User, body: str,
                 kind: str = MessageKind.TECH) -> PostedMessage:
    """Add a technician message or a note. In an Assistant session a technician message is
    answered: the assistant runs between two short transactions, so a slow provider never
    holds a database lock."""
    body = body.strip()
    if kind not in (MessageKind.TECH, MessageKind.NOTE):
        raise ServiceError("Only technician messages and notes can be posted.", code="invalid_kind")
    if not body:
        raise ServiceError("The message is empty.", code="empty_message")
    if len(body) > MESSAGE_MAX:
        raise ServiceError(f"A message has at most {MESSAGE_MAX} characters; attach long logs as a note in parts.",
                           code="message_too_long")
    with transaction.atomic():
        session_for_write(session=session, actor=actor)
        message = Message.objects.for_account(session.account).create(
            session=session, account=session.account, author=actor, kind=kind, body=body
        )
        touch(session)
        session_activity_send(session=session, actor=actor, kind="note" if kind == MessageKind.NOTE else "message")
    posted = PostedMessage(message=message)
    if kind != MessageKind.TECH or session.mode != SessionMode.ASSISTANT:
        return posted
    reply = assistant.respond(_context(session, body, message))
    _save_reply(session, reply, posted)
    return posted


@transaction.atomic
def _save_reply(session: TroubleshootingSession, reply: AssistantReply, posted: PostedMessage) -> None:
    session_lock(session)  # the facts and fixes below decide on what the session has now
    if reply.notice:
        posted.notice = Message.objects.for_account(session.account).create(
            session=session, account=session.account, kind=MessageKind.SYSTEM, body=reply.notice
        )
    for key, value in reply.facts:
        try:
            fact, changed = fact_upsert(session=session, key=key, value=value[:500], source=FactSource.EXTRACTED,
                                        author=None)
        except ServiceError:
            logger.warning("assistant (%s) returned an unusable fact %r=%r", reply.provider, key, value[:80])
            continue
        if changed:
            posted.facts.append(fact)
    tried = {title.lower() for title in Fix.objects.for_account(session.account)
             .filter(session=session).values_list("title", flat=True)}
    for proposal in reply.fixes:
        if proposal.title.strip().lower() in tried:
            continue
        try:
            posted.fixes.append(fix_create(session=session, title=proposal.title[:200], steps=proposal.steps,
                                           source=proposal.source, proposed_by=None))
        except ServiceError:
            logger.warning("assistant (%s) proposed an unusable fix %r", reply.provider, proposal.title[:80])
        tried.add(proposal.title.strip().lower())
    posted.reply = Message.objects.for_account(session.account).create(
        session=session, account=session.account, kind=MessageKind.ASSISTANT, body=reply.body,
        suggestions=reply.suggestions,
    )
    touch(session)
    events.session_changed(session=session, regions=("transcript", "facts", "fixes", "preview", "head"))
