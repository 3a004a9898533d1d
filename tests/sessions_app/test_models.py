"""The invariants of sessions_app that the database itself holds (docs/architecture.md#domain-and-state-machine)."""

from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError
from django.utils import timezone

from accounts.tenancy import UnscopedQueryError
from sessions_app.models import Fact, Fix, FixStatus, Flow, Message, MessageKind, SessionStatus, TroubleshootingSession

from .factories import (
    FactFactory,
    FixFactory,
    FlowFactory,
    FlowSessionFactory,
    MessageFactory,
    SessionFactory,
    small_graph,
)


@contextmanager
def refused_by_database():
    """IntegrityError, rolled back to a savepoint so the test can go on querying."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer)


# ---- fixes ------------------------------------------------------------------------------


def test_a_session_cannot_have_two_active_fixes(session):
    FixFactory(session=session, status=FixStatus.ACTIVE)
    with refused_by_database():
        FixFactory(session=session, status=FixStatus.ACTIVE)
    assert Fix.objects.for_account(session.account).filter(status=FixStatus.ACTIVE).count() == 1


def test_a_second_active_fix_is_refused_even_by_a_bulk_update(session):
    FixFactory(session=session, status=FixStatus.ACTIVE)
    other = FixFactory(session=session, status=FixStatus.PROPOSED)
    with refused_by_database():
        Fix.unscoped.filter(pk=other.pk).update(status=FixStatus.ACTIVE)


def test_another_fix_may_become_active_once_the_first_has_an_outcome(session):
    first = FixFactory(session=session, status=FixStatus.ACTIVE)
    Fix.unscoped.filter(pk=first.pk).update(status=FixStatus.FAILED, outcome_at=timezone.now())
    FixFactory(session=session, status=FixStatus.ACTIVE)
    assert session.fixes.filter(status=FixStatus.ACTIVE).count() == 1


def test_two_sessions_may_each_have_an_active_fix(session, northwind, engineer):
    FixFactory(session=session, status=FixStatus.ACTIVE)
    FixFactory(session=SessionFactory(account=northwind, owner=engineer), status=FixStatus.ACTIVE)


def test_model_validation_explains_a_second_active_fix_before_the_database_refuses(session):
    FixFactory(session=session, status=FixStatus.ACTIVE)
    second = Fix(session=session, account=session.account, title="Rebuild the .ost", status=FixStatus.ACTIVE)
    with pytest.raises(ValidationError, match="already has an active fix"):
        second.full_clean()


# ---- facts ------------------------------------------------------------------------------


def test_a_session_holds_one_current_value_per_fact_key(session):
    FactFactory(session=session, key="os", value="Windows 10")
    with refused_by_database():
        FactFactory(session=session, key="os", value="Windows 11")
    assert session.facts.get(key="os").value == "Windows 10"


def test_the_same_fact_key_may_exist_in_other_sessions(session, northwind, engineer):
    FactFactory(session=session, key="os", value="Windows 10")
    FactFactory(session=SessionFactory(account=northwind, owner=engineer), key="os", value="macOS")
    assert Fact.objects.for_account(northwind).filter(key="os").count() == 2


def test_a_fact_key_cannot_be_empty(session):
    with refused_by_database():
        FactFactory(session=session, key="")


# ---- closed sets (check constraints) ----------------------------------------------------


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (TroubleshootingSession, "status"),
        (TroubleshootingSession, "mode"),
        (Message, "kind"),
        (Fact, "source"),
        (Fix, "status"),
    ],
)
def test_a_value_outside_the_choices_is_refused_by_the_database(session, model, field):
    rows = {
        TroubleshootingSession: lambda: session,
        Message: lambda: MessageFactory(session=session),
        Fact: lambda: FactFactory(session=session),
        Fix: lambda: FixFactory(session=session),
    }
    row = rows[model]()
    with refused_by_database():
        model.unscoped.filter(pk=row.pk).update(**{field: "bogus"})


def test_an_assistant_message_has_no_author(session):
    with refused_by_database():
        MessageFactory(session=session, kind=MessageKind.ASSISTANT, author=session.owner)
    MessageFactory(session=session, kind=MessageKind.ASSISTANT, author=None)


def test_a_resolved_session_has_a_resolution_time(session):
    with refused_by_database():
        TroubleshootingSession.unscoped.filter(pk=session.pk).update(status=SessionStatus.RESOLVED)
    TroubleshootingSession.unscoped.filter(pk=session.pk).update(
        status=SessionStatus.RESOLVED, resolved_at=timezone.now()
    )


def test_only_an_escalated_session_has_an_assignee(session, senior):
    with refused_by_database():
        TroubleshootingSession.unscoped.filter(pk=session.pk).update(assignee=senior)
    TroubleshootingSession.unscoped.filter(pk=session.pk).update(status=SessionStatus.ESCALATED, assignee=senior)
    with refused_by_database():
        TroubleshootingSession.unscoped.filter(pk=session.pk).update(status=SessionStatus.ACTIVE)


def test_a_flow_session_needs_its_flow_graph(northwind, engineer):
    with refused_by_database():
        FlowSessionFactory(account=northwind, owner=engineer, flow_graph=None)


def test_an_assistant_session_has_no_flow(northwind, engineer):
    with refused_by_database():
        SessionFactory(account=northwind, owner=engineer, flow=FlowFactory())


def test_a_flow_session_survives_the_deletion_of_its_flow(northwind, engineer):
    walk = FlowSessionFactory(account=northwind, owner=engineer)
    Flow.unscoped.filter(pk=walk.flow_id).delete()
    walk.refresh_from_db()
    assert walk.flow is None and walk.flow_graph["start"] == "restart"


# ---- tenancy ----------------------------------------------------------------------------


def test_sessions_and_their_rows_cannot_be_queried_without_naming_the_account(db):
    for model in (TroubleshootingSession, Message, Fact, Fix):
        with pytest.raises(UnscopedQueryError):
            model.objects.all()


def test_a_sessions_rows_take_the_sessions_account(session):
    fact = Fact(session=session, key="os", value="Windows 11")
    fact.save()
    assert fact.account_id == session.account_id
    assert list(session.facts.all()) == [fact]


def test_a_row_cannot_point_at_another_accounts_session(session, outsider):
    with pytest.raises(ValueError, match="session's account"):
        Fact(session=session, account=outsider, key="os", value="Windows 11").save()


def test_each_account_sees_only_its_own_sessions(session, outsider):
    theirs = SessionFactory(account=outsider)
    assert list(TroubleshootingSession.objects.for_account(session.account)) == [session]
    assert list(TroubleshootingSession.objects.for_account(outsider)) == [theirs]


def test_a_person_with_sessions_cannot_be_deleted_but_their_account_can(session, northwind, engineer):
    with pytest.raises(RestrictedError):
        engineer.delete()
    MessageFactory(session=session)
    northwind.delete()
    assert not TroubleshootingSession.unscoped.exists()
    assert not Message.unscoped.exists()


# ---- flows ------------------------------------------------------------------------------


def test_flows_cannot_be_queried_without_a_scope(db):
    with pytest.raises(UnscopedQueryError, match="available_to"):
        Flow.objects.all()
    with pytest.raises(UnscopedQueryError):
        Flow.objects.available_to(None)


def test_an_account_may_run_its_own_flows_and_the_global_library(northwind, outsider):
    library = FlowFactory(slug="printer-offline")
    ours = FlowFactory(account=northwind, slug="our-vpn")
    FlowFactory(account=outsider, slug="their-vpn")
    FlowFactory(slug="retired", is_active=False)
    assert set(Flow.objects.available_to(northwind)) == {library, ours}
    assert set(Flow.objects.owned_by(northwind)) == {ours}


def test_an_accounts_own_flow_replaces_the_global_one_with_the_same_slug(northwind, outsider):
    FlowFactory(slug="vpn-will-not-connect", name="Library VPN")
    ours = FlowFactory(account=northwind, slug="vpn-will-not-connect", name="Our VPN")
    assert [flow.name for flow in Flow.objects.available_to(northwind)] == [ours.name]
    assert [flow.name for flow in Flow.objects.available_to(outsider)] == ["Library VPN"]


def test_a_slug_is_unique_within_an_account(northwind, outsider):
    FlowFactory(account=northwind, slug="disk-full")
    FlowFactory(account=outsider, slug="disk-full")
    with refused_by_database():
        FlowFactory(account=northwind, slug="disk-full")


def test_a_slug_is_unique_within_the_global_library(db):
    FlowFactory(slug="disk-full")
    with refused_by_database():
        FlowFactory(slug="disk-full")


def test_saving_a_flow_with_an_invalid_graph_is_refused(db):
    with pytest.raises(ValidationError, match="does not exist"):
        FlowFactory(graph=small_graph(start="nowhere"))
    assert not Flow.unscoped.exists()


def test_full_clean_reports_graph_problems_on_the_graph_field(db):
    flow = Flow(name="Broken", slug="broken", graph={"steps": {}})
    with pytest.raises(ValidationError) as exc:
        flow.full_clean()
    assert any("no steps" in message for message in exc.value.message_dict["graph"])


def test_full_clean_checks_tags_and_keywords_are_lists_of_text(db):
    flow = Flow(name="Tagged", slug="tagged", graph=small_graph(), tags="email", keywords=["ok", 3])
    with pytest.raises(ValidationError) as exc:
        flow.full_clean()
    assert set(exc.value.message_dict) == {"tags", "keywords"}


def test_a_save_that_leaves_the_graph_alone_is_not_held_to_validation(db):
    flow = FlowFactory()
    Flow.unscoped.filter(pk=flow.pk).update(graph={"start": "gone", "steps": {}})
    flow.refresh_from_db()
    flow.is_active = False
    flow.save(update_fields=["is_active"])
    with pytest.raises(ValidationError):
        flow.save()
