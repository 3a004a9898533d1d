"""Reads of escalations scoped to an account (docs/architecture.md#rooms-and-dependencies): the queue, one handoff, a
session's latest escalation, and which actions a person is offered on a handoff.

Every function takes the account (or an object that carries it), so a foreign id is simply
not found: pages answer 404 and sockets close before accepting.
"""

import uuid
from datetime import timedelta

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts import rules as account_rules
from accounts.models import Account, User
from accounts.selectors import people_by_id
from resolutionflow.search import every_word
from resolutionflow.sql import bound_values
from sessions_app.models import Message, MessageKind, SessionStatus, TroubleshootingSession

from . import rules
from .models import LIVE_STATUSES, Delivery, EventKind, Handoff, HandoffEvent, HandoffStatus


def handoff_list(*, account: Account):
    return Handoff.objects.for_account(account).select_related(
        "session", "requested_by", "handed_off_by", "claimed_by", "account"
    )


# What a queue row reads of an escalation (HandoffSerializer, the rules of its actions, the cursor):
# the list leaves the rest (the context snapshot above all) in the database.
QUEUE_ROW_FIELDS = ("id", "account_id", "session_id", "requested_by_id", "handed_off_by_id", "claimed_by_id", "note",
                    "urgency", "urgency_rank", "status", "created_at", "claimed_at", "first_action_at",
                    "first_action_kind", "alerted_at", "closed_at", "closing_note")

# What a queue row shows of its session (handoffs.api.serializers.SessionSummarySerializer): the
# only columns ``attach_queue_relations`` loads.
SESSION_SUMMARY_FIELDS = ("id", "account_id", "title", "client_name", "ticket_ref", "mode", "status")


def attach_queue_relations(handoffs, *, account: Account):
    """Set ``account``, ``session`` (loaded with ``SESSION_SUMMARY_FIELDS`` only) and the people
    (``requested_by``, ``handed_off_by``, ``claimed_by``: ``accounts.selectors.people_by_id``) on
    each escalation of a page (at most a page of ``account``'s), in two queries; returns them as
    a list, without an escalation whose session went between the reads (deleted with it: the
    join this replaces would not have found it either). For the API's queue, read without joins:
    joined, every row built its session and three whole user rows (issue 9). Raises
    ``ValueError`` for another account's escalation (a programming error)."""
    handoffs = list(handoffs)
    if any(handoff.account_id != account.pk for handoff in handoffs):
        raise ValueError("attach_queue_relations: every escalation must belong to the account")
    if not handoffs:
        return handoffs
    # By id alone, the ids read through the account already: with the account in the WHERE
    # clause SQLite walks the account's index over every session it has (1.3 ms at 2,000).
    sessions = {session.pk: session for session in TroubleshootingSession.unscoped
                .filter(pk__in={handoff.session_id for handoff in handoffs}).order_by()
                .only(*SESSION_SUMMARY_FIELDS)}
    people = people_by_id([person for handoff in handoffs
                           for person in (handoff.requested_by_id, handoff.handed_off_by_id, handoff.claimed_by_id)])
    found = []
    for handoff in handoffs:
        raised_by = {handoff.requested_by_id, handoff.handed_off_by_id}
        if handoff.session_id not in sessions or not raised_by <= people.keys():
            continue  # deleted since the page was read
        handoff.account = account
        handoff.session = sessions[handoff.session_id]
        handoff.requested_by = people[handoff.requested_by_id]
        handoff.handed_off_by = people[handoff.handed_off_by_id]
        handoff.claimed_by = people.get(handoff.claimed_by_id)
        found.append(handoff)
    return found


QUEUE_VIEWS = ("all", "unclaimed", "mine")


def handoff_search(queryset, q: str):
    """Escalations whose session's title, client or ticket contains every word of ``q``
    (case-insensitive, ``resolutionflow.search.every_word``); the page's search box and the API's
    ``q`` filter both use this."""
    return every_word(queryset, q, ("session__title", "session__client_name", "session__ticket_ref"))


def handoff_queue(*, account: Account, view: str = "all", user: User | None = None, q: str = ""):
    """Open and claimed escalations: most urgent first, then the one waiting longest.
    ``view``: ``all``, ``unclaimed`` (open) or ``mine`` (claimed by ``user``); ``q`` searches
    (``handoff_search``). An unknown view is ``all``."""
    queryset = handoff_list(account=account).filter(status__in=LIVE_STATUSES)
    if view == "unclaimed":
        queryset = queryset.filter(status=HandoffStatus.OPEN)
    elif view == "mine" and user is not None:
        queryset = queryset.filter(status=HandoffStatus.CLAIMED, claimed_by=user)
    return handoff_search(queryset, q).order_by("urgency_rank", "created_at")


def handoff_in_queue_view(*, handoff: Handoff, view: str, user: User, q: str = "") -> bool:
    """Whether ``handoff`` belongs on the queue as ``view`` and ``q`` filter it."""
    return handoff_queue(account=handoff.account, view=view, user=user, q=q).filter(pk=handoff.pk).exists()


def handoffs_held(*, account: Account, user: User):
    """The escalations ``user`` has picked up and still holds, the longest-held first."""
    return handoff_list(account=account).filter(status=HandoffStatus.CLAIMED, claimed_by=user).order_by("claimed_at")


def returned_by(*, handoff: Handoff) -> User | None:
    """Who returned a returned escalation (the claimant, or an admin); ``None`` otherwise."""
    if handoff.status != HandoffStatus.RETURNED:
        return None
    event = (HandoffEvent.objects.for_account(handoff.account).filter(handoff=handoff, kind=EventKind.RETURNED)
             .select_related("actor").order_by("-seq").first())
    return event.actor if event else handoff.claimed_by


def handoff_open_count(*, account: Account) -> int:
    return Handoff.objects.for_account(account).filter(status=HandoffStatus.OPEN).count()


def nav_item(user: User, counts: bool = True, **_signal) -> dict | None:
    """The "Escalations" link of the navigation; engineers and admins see how many wait
    (``counts``: the command palette lists the page without the count's query)."""
    if not rules.may_view_escalations(user):
        return None
    item = {"label": "Escalations", "url_name": "handoffs:queue", "testid": "nav-escalations"}
    if counts and account_rules.may_work(user):
        item["count"] = handoff_open_count(account=user.account)
    return item


def handoff_get(*, account: Account, handoff_id) -> Handoff | None:
    return handoff_list(account=account).filter(pk=handoff_id).first()


def session_get(*, account: Account, session_id) -> TroubleshootingSession | None:
    return TroubleshootingSession.objects.for_account(account).select_related("owner").filter(pk=session_id).first()


def session_latest_handoff(*, session: TroubleshootingSession) -> Handoff | None:
    """The live escalation of a session if it has one, else its most recent closed one (so the
    technician still sees "returned: <note>" or "resolved")."""
    handoffs = handoff_list(account=session.account).filter(session=session)
    return handoffs.filter(status__in=LIVE_STATUSES).first() or handoffs.order_by("-created_at").first()


def last_event_seq(*, account: Account) -> int:
    """The account's newest event number: realtime clients compare it with the ``seq`` of the
    events they receive to notice one they missed."""
    return Account.objects.filter(pk=account.pk).values_list("event_seq", flat=True).first() or 0


EVENTS_LIMIT_MAX = 200
EVENTS_LIMIT_DEFAULT = 100


def account_events(*, account: Account, after: int = 0, limit: int = EVENTS_LIMIT_DEFAULT):
    """The account's escalation events with ``seq > after``, oldest first, at most ``limit``
    (1..``EVENTS_LIMIT_MAX``), each with its handoff (and the handoff's session, people and
    account) loaded for ``handoffs.events.event_message``. Returns ``(events, has_more)``:
    ``has_more`` says events after the last one returned exist. One query, whatever the
    number of events (it reads one row past ``limit`` to answer ``has_more``)."""
    events = list(
        HandoffEvent.objects.for_account(account).filter(seq__gt=after).order_by("seq")
        .select_related("handoff", "handoff__session", "handoff__requested_by", "handoff__handed_off_by",
                        "handoff__claimed_by", "handoff__account")
        .defer("handoff__context", "handoff__session__problem", "handoff__session__resolution",
               "handoff__session__flow_graph", "handoff__session__path")[:limit + 1]
    )
    return events[:limit], len(events) > limit


def handoff_history(*, handoff: Handoff):
    """The audit trail as the context screen tells it, the first action included (who,
    what, when: it is what time to first action measures)."""
    return HandoffEvent.objects.for_account(handoff.account).filter(handoff=handoff).select_related("actor")


def alert_at(handoff: Handoff):
    """When an open escalation starts to count as waiting too long."""
    return handoff.created_at + timedelta(minutes=handoff.account.unclaimed_alert_minutes)


def is_overdue(handoff: Handoff, *, now=None) -> bool:
    """Waiting past the account's ``unclaimed_alert_minutes``, or already alerted by the sweep."""
    if handoff.status != HandoffStatus.OPEN:
        return False
    if handoff.alerted_at:
        return True
    return (now or timezone.now()) >= alert_at(handoff)


# ---- what a person is offered -----------------------------------------------------------------
# The same rules the services enforce (handoffs.rules); tests/handoffs/test_pages_actions.py
# tries every offered and every withheld action against the service.

ACTIONS = ("claim", "release", "return", "resolve", "cancel")


def handoff_actions(*, handoff: Handoff, user: User) -> frozenset[str]:
    """The actions ``user`` is offered on ``handoff`` now: the rules, in its current state."""
    offered = set()
    if handoff.status == HandoffStatus.OPEN:
        if rules.may_claim(handoff, user):
            offered.add("claim")
        if rules.may_cancel(handoff, user):
            offered.add("cancel")
    elif handoff.status == HandoffStatus.CLAIMED and rules.may_act_on_claim(handoff, user):
        offered.update({"release", "return", "resolve"})
    return frozenset(offered)


def can_escalate(*, session: TroubleshootingSession, user: User) -> bool:
    """Whether to offer Escalate: ``rules.may_escalate``, while the session is active."""
    return rules.may_escalate(session, user) and session.status == SessionStatus.ACTIVE


def handoff_actions_list(*, handoff: Handoff, user: User) -> list[str]:
    """``handoff_actions`` as a list in ``ACTIONS`` order: the API's ``actions`` field."""
    offered = handoff_actions(handoff=handoff, user=user)
    return [action for action in ACTIONS if action in offered]


def handoff_actions_from_data(*, data: dict, user: User) -> list[str]:
    """``handoff_actions_list`` for an escalation given as its REST dict (``events.handoff_data``:
    ``status``, ``requested_by``, ``handed_off_by``, ``claimed_by``, each person ``{"id", ...}``
    or None), for a socket or feed of ``user``'s own account: an unsaved ``Handoff`` carries the
    fields the rules read, so no query is made. The account is ``user``'s (the message came
    through that account's group or feed)."""

    def person(key):
        value = data.get(key)
        return uuid.UUID(str(value["id"])) if value else None

    handoff = Handoff(status=data["status"], account_id=user.account_id, requested_by_id=person("requested_by"),
                      handed_off_by_id=person("handed_off_by"), claimed_by_id=person("claimed_by"))
    return handoff_actions_list(handoff=handoff, user=user)


def session_escalate_action(*, session: TroubleshootingSession, user: User, **_signal) -> set[str]:
    """Receiver of ``sessions_app.signals.session_actions``: ``{"escalate"}`` when
    ``can_escalate`` (no query)."""
    return {"escalate"} if can_escalate(session=session, user=user) else set()


def live_escalations(*, sessions, **_signal) -> dict:
    """Receiver of ``sessions_app.signals.session_escalations``: ``{session id: {"id": uuid,
    "status": "open"|"claimed"}}`` for those of ``sessions`` (one account's) with a live
    escalation, in one query.

    Written as SQL over the ``handoff_queue_idx`` columns (account, status) and the page's
    session ids: the same read through the ORM cost 1.4 ms of Python per page of 50 (building
    and compiling a 50-id ``IN``) against 0.3 ms (bench/lists.py, issue 9). Only our own table
    name and placeholders go into the text."""
    sessions = list(sessions)
    if not sessions:
        return {}
    field = Handoff._meta.get_field
    marks, by_db_value = bound_values(field("session").target_field, [session.pk for session in sessions])
    account_mark, account = bound_values(field("account").target_field, [sessions[0].account_id])
    status_marks, statuses = bound_values(field("status"), [str(status) for status in LIVE_STATUSES])
    sql = (f"SELECT session_id, id, status FROM {connection.ops.quote_name(Handoff._meta.db_table)} "  # noqa: S608
           f"WHERE account_id = {account_mark} AND status IN ({status_marks}) AND session_id IN ({marks})")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*account, *statuses, *by_db_value])
        rows = cursor.fetchall()
    return {by_db_value[session_id]: {"id": uuid.UUID(str(pk)), "status": status} for session_id, pk, status in rows}


def delivery_list(*, account: Account, kind: str | None = None):
    """The account's deliveries (webhook POSTs and emails), newest first."""
    rows = Delivery.objects.for_account(account).select_related("event", "account")
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("-created_at", "-id")


def delivery_get(*, account: Account, delivery_id) -> Delivery | None:
    return delivery_list(account=account).filter(pk=delivery_id).first()


def escalation_ticket_sections(*, session: TroubleshootingSession, **_signal) -> list[tuple[str, list[str]]]:
    """Receiver of ``sessions_app.signals.ticket_note_sections``: the session's escalations for
    the ticket note, oldest first. Per escalation: who raised it and the note, who picked it up,
    what the claimant wrote in the session while holding it (findings and fixes tried only in
    chat), and how it ended (the coaching note of a return). ``[]`` for a session never escalated."""
    handoffs = list(handoff_list(account=session.account).filter(session=session).order_by("created_at"))
    if not handoffs:
        return []
    lines: list[str] = []
    for handoff in handoffs:
        lines.append(f"Escalated by {handoff.handed_off_by.name} ({handoff.get_urgency_display().lower()}): "
                     f"{handoff.note}" if handoff.note else f"Escalated by {handoff.handed_off_by.name}")
        if handoff.claimed_by_id and handoff.claimed_at:
            waited = max(0, int((handoff.claimed_at - handoff.created_at).total_seconds() // 60))
            lines.append(f"Picked up by {handoff.claimed_by.name} after {waited} min")
            said = Message.objects.for_account(session.account).filter(
                session=session, author_id=handoff.claimed_by_id, kind__in=[MessageKind.TECH, MessageKind.NOTE],
                created_at__gte=handoff.claimed_at)
            if handoff.closed_at:
                said = said.filter(created_at__lt=handoff.closed_at)
            for body in said.order_by("created_at").values_list("body", flat=True):
                lines.append(f"{handoff.claimed_by.name} in the session: {' '.join(body.split())}")
        if handoff.status == HandoffStatus.RETURNED:
            who = returned_by(handoff=handoff)
            lines.append(f"Returned by {who.name if who else 'the claimant'} with a coaching note: "
                         f"{handoff.closing_note}")
        elif handoff.status == HandoffStatus.RESOLVED and handoff.claimed_by_id:
            lines.append(f"Resolved by {handoff.claimed_by.name}")
        elif handoff.status == HandoffStatus.CANCELLED:
            lines.append("Cancelled" + (f": {handoff.closing_note}" if handoff.closing_note else ""))
    return [("Escalation", lines)]


def palette_entries(*, user: User, **_signal) -> list[dict]:
    """Receiver of ``sessions_app.signals.palette_items``: the Escalation Queue and each open
    or claimed escalation of the user's account by its session's title (members only)."""
    if not rules.may_view_escalations(user):
        return []
    entries = [{"id": "page:queue", "label": "Escalation Queue", "group": "Pages", "url": reverse("handoffs:queue"),
                "hint": "", "keywords": "escalations queue seniors pick up"}]
    for handoff in handoff_queue(account=user.account)[:30]:
        state = ("you have it" if handoff.claimed_by_id == user.pk else
                 f"picked up by {handoff.claimed_by.name}" if handoff.claimed_by_id else "waiting")
        hint = " · ".join(part for part in (handoff.get_urgency_display(), state, handoff.session.client_name,
                                            handoff.session.ticket_ref) if part)
        entries.append({"id": f"handoff:{handoff.pk}", "label": handoff.session.title, "group": "Open escalations",
                        "url": reverse("handoffs:detail", args=[handoff.pk]), "hint": hint,
                        "keywords": f"escalation {handoff.urgency}"})
    return entries
