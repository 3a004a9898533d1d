"""Facts (one current value per key) and fixes (at most one active) of a session."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.errors import Conflict, NotFound, ServiceError
from accounts.models import User
from sessions_app.models import Fact, FactSource, Fix, FixStatus, TroubleshootingSession

from .access import session_activity_send, session_for_write
from .sessions import touch

FACT_KEY_MAX, FACT_VALUE_MAX = 64, 500

# Where a fix may go from each status. "worked" is final: the fix is part of the record.
FIX_TRANSITIONS = {
    FixStatus.PROPOSED: {FixStatus.ACTIVE, FixStatus.SKIPPED},
    FixStatus.ACTIVE: {FixStatus.WORKED, FixStatus.FAILED, FixStatus.SKIPPED, FixStatus.PROPOSED},
    FixStatus.FAILED: {FixStatus.ACTIVE, FixStatus.PROPOSED},
    FixStatus.SKIPPED: {FixStatus.ACTIVE, FixStatus.PROPOSED},
    FixStatus.WORKED: set(),
}


def _normalise_key(key: str) -> str:
    key = "_".join(key.strip().lower().split())
    if not key:
        raise ServiceError("A fact needs a name (for example os or error_code).", code="invalid_fact")
    if len(key) > FACT_KEY_MAX:
        raise ServiceError(f"A fact name has at most {FACT_KEY_MAX} characters.", code="invalid_fact")
    return key


def fact_upsert(*, session: TroubleshootingSession, key: str, value: str, source: str,
                author: User | None) -> tuple[Fact, bool]:
    """Set one fact without permission checks (the assistant's extracted facts use this);
    returns the fact and whether it changed."""
    key, value = _normalise_key(key), value.strip()
    if not value:
        raise ServiceError("A fact needs a value.", code="invalid_fact")
    if len(value) > FACT_VALUE_MAX:
        raise ServiceError(f"A fact value has at most {FACT_VALUE_MAX} characters.", code="invalid_fact")
    fact = Fact.objects.for_account(session.account).filter(session=session, key=key).first()
    if fact is not None:
        if fact.value == value:
            return fact, False
        fact.value, fact.source, fact.author = value, source, author
        fact.save(update_fields=["value", "source", "author", "updated_at"])
        return fact, True
    try:
        with transaction.atomic():
            return Fact.objects.for_account(session.account).create(
                session=session, account=session.account, key=key, value=value, source=source, author=author
            ), True
    except IntegrityError:
        # Another request set the same key a moment ago: one current value per key, the last wins.
        fact = Fact.objects.for_account(session.account).get(session=session, key=key)
        fact.value, fact.source, fact.author = value, source, author
        fact.save(update_fields=["value", "source", "author", "updated_at"])
        return fact, True


def _fact_again(fact: Fact) -> Fact:
    """The fact as committed now (the caller holds the session's lock)."""
    current = Fact.objects.for_account(fact.account).filter(pk=fact.pk).first()
    if current is None:
        raise NotFound("That fact was deleted a moment ago.", code="not_found")
    return current


@transaction.atomic
def fact_set(*, session: TroubleshootingSession, actor: User, key: str, value: str) -> Fact:
    session_for_write(session=session, actor=actor)
    fact, changed = fact_upsert(session=session, key=key, value=value, source=FactSource.TECH, author=actor)
    if changed:
        touch(session)
        session_activity_send(session=session, actor=actor, kind="fact")
    return fact


@transaction.atomic
def fact_update(*, fact: Fact, actor: User, key: str | None = None, value: str | None = None) -> Fact:
    """Rename or change a fact. Raises ``NotFound`` (deleted a moment ago), ``Conflict``
    (``duplicate_fact``), ``ServiceError`` (``invalid_fact``), and what ``session_for_write`` raises."""
    session = fact.session
    session_for_write(session=session, actor=actor)
    fact = _fact_again(fact)
    new_key = _normalise_key(key) if key is not None else fact.key
    if new_key != fact.key and Fact.objects.for_account(session.account).filter(session=session, key=new_key).exists():
        raise Conflict(f"This session already has a fact named {new_key}.", code="duplicate_fact")
    fact.key = new_key
    if value is not None:
        value = value.strip()
        if not value or len(value) > FACT_VALUE_MAX:
            raise ServiceError(f"A fact needs a value of 1 to {FACT_VALUE_MAX} characters.", code="invalid_fact")
        fact.value = value
    fact.source, fact.author = FactSource.TECH, actor
    try:
        with transaction.atomic():
            fact.save(update_fields=["key", "value", "source", "author", "updated_at"])
    except IntegrityError:  # an assistant reply set the same key outside the lock's reach
        raise Conflict(f"This session already has a fact named {new_key}.", code="duplicate_fact") from None
    touch(session)
    session_activity_send(session=session, actor=actor, kind="fact")
    return fact


@transaction.atomic
def fact_delete(*, fact: Fact, actor: User) -> None:
    session = fact.session
    session_for_write(session=session, actor=actor)
    _fact_again(fact).delete()
    touch(session)
    session_activity_send(session=session, actor=actor, kind="fact")


def fix_create(*, session: TroubleshootingSession, title: str, steps: str = "", source: str = "",
               proposed_by: User | None) -> Fix:
    """A proposed fix, without permission checks (the assistant's proposals use this)."""
    title = title.strip()
    if not title:
        raise ServiceError("A fix needs a title.", code="invalid_fix")
    if len(title) > 200:
        raise ServiceError("A fix title has at most 200 characters.", code="invalid_fix")
    return Fix.objects.for_account(session.account).create(
        session=session, account=session.account, title=title, steps=steps.strip(), source=source.strip()[:200],
        proposed_by=proposed_by,
    )


@transaction.atomic
def fix_propose(*, session: TroubleshootingSession, actor: User, title: str, steps: str = "") -> Fix:
    session_for_write(session=session, actor=actor)
    fix = fix_create(session=session, title=title, steps=steps, proposed_by=actor)
    touch(session)
    session_activity_send(session=session, actor=actor, kind="fix")
    return fix


@transaction.atomic
def fix_set_status(*, fix: Fix, actor: User, status: str, outcome_note: str = "") -> Fix:
    """Move a fix along FIX_TRANSITIONS. Only one fix is active at a time: making another
    active while one is being tried is refused, naming the one in progress."""
    session = fix.session
    session_for_write(session=session, actor=actor)
    if status not in FixStatus.values:
        raise ServiceError(f"{status!r} is not a fix status.", code="invalid_status")
    current = Fix.objects.for_account(session.account).select_for_update().get(pk=fix.pk)
    if status not in FIX_TRANSITIONS[FixStatus(current.status)]:
        raise Conflict(f"A {current.status} fix cannot become {status}.", code="invalid_transition",
                       extra={"status": current.status})
    if status == FixStatus.ACTIVE:
        other = Fix.objects.for_account(session.account).filter(session=session, status=FixStatus.ACTIVE).first()
        if other is not None:
            raise Conflict(f"“{other.title}” is being tried; mark how it went before starting another fix.",
                               code="another_fix_active", extra={"active_fix": str(other.pk)})
    now = timezone.now()
    current.status = status
    if status in (FixStatus.WORKED, FixStatus.FAILED, FixStatus.SKIPPED):
        current.outcome_note, current.outcome_at = outcome_note.strip(), now
    try:
        with transaction.atomic():
            current.save(update_fields=["status", "outcome_note", "outcome_at", "updated_at"])
    except IntegrityError as exc:
        # Two fixes made active at the same instant: the database's one-active rule decides.
        raise Conflict("Another fix was made active a moment ago.", code="another_fix_active") from exc
    touch(session)
    session_activity_send(session=session, actor=actor, kind="fix")
    return current
