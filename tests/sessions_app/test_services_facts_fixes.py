"""Facts (one current value per key) and fixes (at most one active, along FIX_TRANSITIONS)."""

from contextlib import contextmanager

import pytest

from accounts.errors import ServiceError
from resolutionflow.errors import http_status
from sessions_app.models import Fact, FactSource, Fix, FixStatus, SessionStatus, TroubleshootingSession
from sessions_app.services import (
    FIX_TRANSITIONS,
    fact_delete,
    fact_set,
    fact_update,
    fix_propose,
    fix_set_status,
    session_resolve,
)

from .factories import FactFactory, FixFactory, SessionFactory

S = FixStatus


@contextmanager
def refused(code, status=None):
    with pytest.raises(ServiceError) as info:
        yield info
    assert info.value.code == code, info.value.detail
    assert status is None or http_status(info.value) == status


@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer)


def facts_of(session):
    return dict(Fact.objects.for_account(session.account).filter(session=session).values_list("key", "value"))


# ---- facts --------------------------------------------------------------------------------


def test_a_fact_is_stored_under_a_normalised_key(session, engineer):
    fact = fact_set(session=session, actor=engineer, key="  Error Code ", value=" 0x80070005 ")
    assert (fact.key, fact.value, fact.source, fact.author) == ("error_code", "0x80070005", FactSource.TECH, engineer)


def test_setting_a_known_key_replaces_its_value(session, engineer):
    first = fact_set(session=session, actor=engineer, key="os", value="Windows 10")
    second = fact_set(session=session, actor=engineer, key="OS", value="Windows 11")
    assert first.pk == second.pk
    assert facts_of(session) == {"os": "Windows 11"}


def test_a_technician_correction_takes_over_an_extracted_fact(session, engineer):
    FactFactory(session=session, key="os", value="Windows 10", source=FactSource.EXTRACTED, author=None)
    fact = fact_set(session=session, actor=engineer, key="os", value="Windows 11")
    assert (fact.source, fact.author) == (FactSource.TECH, engineer)


@pytest.mark.parametrize(("key", "value"), [("", "x"), ("os", "  "), ("k" * 65, "x"), ("os", "v" * 501)])
def test_a_fact_needs_a_short_name_and_a_value(session, engineer, key, value):
    with refused("invalid_fact", 400):
        fact_set(session=session, actor=engineer, key=key, value=value)
    assert facts_of(session) == {}


def test_a_fact_is_renamed_and_revalued(session, engineer):
    fact = FactFactory(session=session, key="os", value="Win10")
    fact_update(fact=fact, actor=engineer, key="Operating System", value="Windows 10 22H2")
    assert facts_of(session) == {"operating_system": "Windows 10 22H2"}


def test_renaming_a_fact_onto_another_key_is_a_conflict(session, engineer):
    FactFactory(session=session, key="os", value="Windows 11")
    fact = FactFactory(session=session, key="platform", value="Windows 10")
    with refused("duplicate_fact", 409):
        fact_update(fact=fact, actor=engineer, key="os")
    assert facts_of(session) == {"os": "Windows 11", "platform": "Windows 10"}


def test_a_fact_is_removed(session, engineer):
    fact = FactFactory(session=session, key="os")
    fact_delete(fact=fact, actor=engineer)
    assert facts_of(session) == {}


def test_a_colleague_cannot_touch_the_facts(session, senior):
    fact = FactFactory(session=session, key="os", value="Windows 11")
    with refused("permission_denied", 403):
        fact_set(session=session, actor=senior, key="os", value="macOS")
    with refused("permission_denied", 403):
        fact_update(fact=fact, actor=senior, value="macOS")
    with refused("permission_denied", 403):
        fact_delete(fact=fact, actor=senior)
    assert facts_of(session) == {"os": "Windows 11"}


def test_facts_of_a_resolved_session_are_kept_as_they_were(session, engineer):
    fact = FactFactory(session=session, key="os", value="Windows 11")
    session_resolve(session=session, actor=engineer, resolution="Rebooted")
    for attempt in (lambda: fact_set(session=session, actor=engineer, key="ip", value="10.0.0.5"),
                    lambda: fact_update(fact=fact, actor=engineer, value="macOS"),
                    lambda: fact_delete(fact=fact, actor=engineer)):
        with refused("session_closed", 409):
            attempt()
    assert facts_of(session) == {"os": "Windows 11"}


# ---- fixes --------------------------------------------------------------------------------


def test_a_proposed_fix_is_recorded_with_who_proposed_it(session, engineer):
    fix = fix_propose(session=session, actor=engineer, title=" Clear the credential cache ", steps=" a\nb ")
    assert (fix.title, fix.steps, fix.status, fix.proposed_by) == ("Clear the credential cache", "a\nb",
                                                                    S.PROPOSED, engineer)


@pytest.mark.parametrize("title", ["", "   ", "t" * 201])
def test_a_fix_needs_a_short_title(session, engineer, title):
    with refused("invalid_fix", 400):
        fix_propose(session=session, actor=engineer, title=title)


ALL_MOVES = [(start, end) for start in S.values for end in S.values]


@pytest.mark.parametrize(("start", "end"), ALL_MOVES, ids=[f"{a}->{b}" for a, b in ALL_MOVES])
def test_fix_status_moves_follow_the_transition_table(session, engineer, start, end):
    fix = FixFactory(session=session, status=start)
    allowed = end in FIX_TRANSITIONS[S(start)]
    if allowed:
        moved = fix_set_status(fix=fix, actor=engineer, status=end, outcome_note="Note")
        assert moved.status == end
    else:
        with refused("invalid_transition", 409) as info:
            fix_set_status(fix=fix, actor=engineer, status=end)
        assert info.value.extra == {"status": start}
    fix.refresh_from_db()
    assert fix.status == (end if allowed else start)


def test_the_transition_table_matches_the_design():
    assert FIX_TRANSITIONS == {
        S.PROPOSED: {S.ACTIVE, S.SKIPPED},
        S.ACTIVE: {S.WORKED, S.FAILED, S.SKIPPED, S.PROPOSED},
        S.FAILED: {S.ACTIVE, S.PROPOSED},
        S.SKIPPED: {S.ACTIVE, S.PROPOSED},
        S.WORKED: set(),
    }


def test_an_outcome_records_its_note_and_time(session, engineer):
    fix = FixFactory(session=session, status=S.ACTIVE)
    fix = fix_set_status(fix=fix, actor=engineer, status=S.FAILED, outcome_note=" Same error after reboot ")
    assert fix.outcome_note == "Same error after reboot"
    assert fix.outcome_at is not None


def test_only_one_fix_is_active_at_a_time(session, engineer):
    tried = FixFactory(session=session, status=S.ACTIVE, title="Repair Office")
    other = FixFactory(session=session, status=S.PROPOSED, title="New profile")
    with refused("another_fix_active", 409) as info:
        fix_set_status(fix=other, actor=engineer, status=S.ACTIVE)
    assert "Repair Office" in info.value.detail
    assert info.value.extra == {"active_fix": str(tried.pk)}
    fix_set_status(fix=tried, actor=engineer, status=S.FAILED)
    fix_set_status(fix=other, actor=engineer, status=S.ACTIVE)
    assert list(Fix.objects.for_account(session.account).filter(status=S.ACTIVE)) == [other]


def test_an_unknown_fix_status_is_refused(session, engineer):
    fix = FixFactory(session=session)
    with refused("invalid_status", 400):
        fix_set_status(fix=fix, actor=engineer, status="done")


def test_a_colleague_cannot_change_a_fix_but_the_claim_holder_can(session, senior):
    fix = FixFactory(session=session)
    with refused("permission_denied", 403):
        fix_set_status(fix=fix, actor=senior, status=S.ACTIVE)
    with refused("permission_denied", 403):
        fix_propose(session=session, actor=senior, title="Mine")
    TroubleshootingSession.unscoped.filter(pk=session.pk).update(status=SessionStatus.ESCALATED, assignee=senior)
    fix.session.refresh_from_db()
    assert fix_set_status(fix=fix, actor=senior, status=S.ACTIVE).status == S.ACTIVE


def test_fixes_of_a_resolved_session_are_frozen(session, engineer):
    fix = FixFactory(session=session, status=S.ACTIVE)
    session_resolve(session=session, actor=engineer, resolution="Rebooted")
    fix.session.refresh_from_db()
    with refused("session_closed", 409):
        fix_set_status(fix=fix, actor=engineer, status=S.WORKED)
    with refused("session_closed", 409):
        fix_propose(session=session, actor=engineer, title="Another idea")
