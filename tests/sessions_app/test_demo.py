"""The demo sessions seed_demo adds: a realistic, idempotent mix for Northwind's technicians
and one for Contoso, built through the services."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import Account
from sessions_app.demo import DEMO_SESSIONS, demo_sessions_ensure
from sessions_app.models import (
    Fact,
    FactSource,
    Fix,
    FixStatus,
    Message,
    MessageKind,
    SessionMode,
    SessionStatus,
    TroubleshootingSession,
)


def seed():
    out = StringIO()
    call_command("seed_demo", force=True, stdout=out, stderr=StringIO())
    return out.getvalue()


TICKETS = [spec.ticket_ref for spec in DEMO_SESSIONS]


def ours():
    """The sessions this loader seeds (handoffs seeds escalations with sessions of their own)."""
    return TroubleshootingSession.unscoped.filter(ticket_ref__in=TICKETS)


def counts():
    return tuple(model.unscoped.count() for model in (TroubleshootingSession, Message, Fact, Fix))


def session(ticket_ref):
    return TroubleshootingSession.unscoped.select_related("owner", "account").get(ticket_ref=ticket_ref)


@pytest.fixture
def seeded(db):
    return seed()


def test_seed_demo_says_how_many_demo_sessions_it_created(seeded):
    assert f"Demo sessions: {len(DEMO_SESSIONS)} created (11 in Northwind IT, 1 in Contoso MSP)." in seeded
    assert ours().count() == len(DEMO_SESSIONS) == len(set(TICKETS))


def test_seeding_again_creates_nothing_and_says_nothing_about_sessions(seeded):
    before = counts()
    output = seed()
    assert counts() == before
    assert "Demo sessions" not in output and "nothing changed" in output


def test_a_missing_demo_session_is_recreated_alone(seeded):
    before = counts()
    session("DEMO-1042").delete()
    assert demo_sessions_ensure({account.slug: account for account in Account.objects.all()}) == (
        "Demo sessions: 1 created (1 in Northwind IT).")
    assert counts() == before and session("DEMO-1042").status == SessionStatus.ACTIVE


def test_every_demo_session_belongs_to_a_demo_technician_of_its_account(seeded):
    logins = {(account.slug, login.email) for account in accounts_demo.DEMO_ACCOUNTS for login in account.logins}
    for spec in DEMO_SESSIONS:
        assert (spec.account, spec.owner) in logins
        created = session(spec.ticket_ref)
        assert (created.account.slug, created.owner.email, created.client_name) == (spec.account, spec.owner,
                                                                                    spec.client)


def test_the_mix_has_active_and_resolved_sessions_of_both_modes_for_both_technicians(seeded):
    northwind = ours().filter(account__slug="demo")
    mix = set(northwind.values_list("mode", "status"))
    assert mix == {(mode, status) for mode in SessionMode.values
                   for status in (SessionStatus.ACTIVE, SessionStatus.RESOLVED)}
    owners = set(northwind.values_list("owner__email", flat=True))
    assert owners == {"jamie.junior@demo.resolutionflow.test", "sam.senior@demo.resolutionflow.test"}
    for resolved in northwind.filter(status=SessionStatus.RESOLVED):
        assert resolved.resolution and resolved.resolved_at


def test_the_stuck_outlook_session_has_a_transcript_facts_and_fixes_with_outcomes(seeded):
    outlook = session("DEMO-1042")
    assert (outlook.mode, outlook.status, outlook.client_name) == (SessionMode.ASSISTANT, SessionStatus.ACTIVE,
                                                                   "Harbor Dental")
    fixes = list(Fix.unscoped.filter(session=outlook).order_by("created_at").values_list("status", "outcome_note"))
    assert [status for status, _ in fixes] == [FixStatus.FAILED, FixStatus.FAILED, FixStatus.ACTIVE]
    assert all(note for status, note in fixes if status == FixStatus.FAILED)
    facts = dict(Fact.unscoped.filter(session=outlook).values_list("key", "source"))
    assert facts["office_build"] == FactSource.EXTRACTED and facts["hostname"] == FactSource.TECH
    kinds = list(Message.unscoped.filter(session=outlook).order_by("created_at").values_list("kind", flat=True))
    assert kinds[0] == MessageKind.TECH and kinds[-1] == MessageKind.ASSISTANT and kinds.count(MessageKind.TECH) == 3


def test_flow_sessions_stand_partway_through_starter_runbooks_or_are_resolved(seeded):
    vpn = session("DEMO-1044")
    assert (vpn.flow.slug, vpn.current_step, vpn.status) == ("vpn-will-not-connect", "fix-809", SessionStatus.ACTIVE)
    assert [item["option"] for item in vpn.path] == ["Internet works", "Windows built-in VPN (L2TP, IKEv2, SSTP)",
                                                      "Error 809"]
    printer = session("DEMO-1036")
    assert (printer.current_step, printer.status) == ("res-spooler", SessionStatus.RESOLVED)
    assert printer.flow.is_global and printer.flow_graph == printer.flow.graph


def test_the_sessions_lie_in_the_past_in_the_order_things_happened(seeded):
    now = timezone.now()
    for created in ours():
        messages = list(Message.unscoped.filter(session=created).order_by("created_at"))
        assert created.created_at <= messages[0].created_at and messages[-1].created_at <= created.updated_at < now
        if created.resolved_at:
            assert created.created_at < created.resolved_at <= created.updated_at
            assert messages[-1].body.startswith("Resolved by ")
        answered = [item["answered_at"] for item in created.path]
        assert answered == sorted(answered)
    assert now - session("DEMO-1029").created_at > timezone.timedelta(days=5)
    assert now - session("DEMO-1042").created_at < timezone.timedelta(hours=1)


def test_the_outsider_session_stays_in_the_outsider_account(seeded):
    contoso = Account.objects.get(slug="outsider")
    assert list(ours().filter(account=contoso).values_list("ticket_ref", flat=True)) == ["DEMO-2001"]
    assert not TroubleshootingSession.objects.for_account(contoso).exclude(ticket_ref__startswith="DEMO-").exists()
    northwind = Account.objects.get(slug="demo")
    assert not TroubleshootingSession.objects.for_account(northwind).filter(client_name="Tailspin Toys").exists()
