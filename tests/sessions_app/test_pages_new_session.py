"""Starting a session: Assistant or FlowPilot (with a runbook from the account's library),
the problem, the client and the ticket; a runbook can be preselected from a link."""

import pytest

from sessions_app.models import Message, SessionMode, TroubleshootingSession

from .factories import FlowFactory


@pytest.fixture
def as_engineer(client, engineer):
    client.force_login(engineer)
    return client


@pytest.fixture
def vpn(northwind):
    return FlowFactory(account=northwind, name="VPN will not connect", slug="vpn-will-not-connect",
                       tags=["network"], description="FortiClient, GlobalProtect and AnyConnect failures.")


def sessions_of(account):
    return TroubleshootingSession.objects.for_account(account)


def test_the_page_offers_both_modes_and_the_accounts_runbooks_grouped(as_engineer, vpn, outsider):
    FlowFactory(account=None, name="Disk full", slug="disk-full", tags=["storage"])
    FlowFactory(account=outsider, name="Contoso secret runbook", slug="contoso-secret")

    page = as_engineer.get("/sessions/new/").text

    assert 'data-testid="new-mode-assistant"' in page and 'data-testid="new-mode-flow"' in page
    assert 'data-testid="new-flow-vpn-will-not-connect"' in page
    assert 'data-testid="new-flow-disk-full"' in page  # the global starter library
    assert "Contoso secret runbook" not in page
    assert ">Network</h2>" in page and ">Storage</h2>" in page
    assert 'data-testid="new-flow-filter"' in page


def test_starting_an_assistant_session_opens_it_with_the_problem_as_the_first_message(as_engineer, northwind,
                                                                                      engineer):
    response = as_engineer.post("/sessions/new/", {
        "mode": "assistant", "problem": "Outlook asks for the password in a loop\nSince the M365 migration",
        "client_name": "Fabrikam Dental", "ticket_ref": "T-1001",
    })

    session = sessions_of(northwind).get()
    assert response.status_code == 302
    assert response.url == f"/sessions/{session.pk}/#composer"
    assert (session.mode, session.owner, session.title, session.client_name, session.ticket_ref) == (
        SessionMode.ASSISTANT, engineer, "Outlook asks for the password in a loop", "Fabrikam Dental", "T-1001")
    first, reply = Message.objects.for_account(northwind).filter(session=session).order_by("created_at")
    assert first.body.startswith("Outlook asks") and first.kind == "tech"
    assert reply.kind == "assistant" and reply.body  # the opening is answered at once


def test_starting_a_flowpilot_session_stands_on_the_runbooks_first_step(as_engineer, northwind, vpn):
    response = as_engineer.post("/sessions/new/", {"mode": "flow", "flow": vpn.pk, "client_name": "Fabrikam"})

    session = sessions_of(northwind).get()
    assert response.url == f"/sessions/{session.pk}/#current-step"
    assert (session.mode, session.flow, session.title, session.current_step) == (
        SessionMode.FLOW, vpn, "VPN will not connect", "restart")


def test_a_link_can_preselect_flowpilot_and_a_runbook(as_engineer, vpn):
    page = as_engineer.get(f"/sessions/new/?mode=flow&flow={vpn.pk}").text

    assert 'value="flow" checked data-testid="new-mode-flow"' in page
    assert f'value="{vpn.pk}" checked' in page


def test_a_link_with_another_accounts_runbook_preselects_nothing(as_engineer, outsider):
    foreign = FlowFactory(account=outsider, name="Contoso runbook", slug="contoso-runbook")

    page = as_engineer.get(f"/sessions/new/?mode=flow&flow={foreign.pk}").text

    assert " checked data-testid=\"new-flow-" not in page
    assert "Contoso runbook" not in page


def test_an_assistant_session_needs_a_problem(as_engineer, northwind):
    response = as_engineer.post("/sessions/new/", {"mode": "assistant", "problem": "  "})

    assert response.status_code == 400
    assert 'data-testid="new-problem-error"' in response.text
    assert not sessions_of(northwind).exists()


def test_a_flowpilot_session_needs_a_runbook(as_engineer, northwind):
    response = as_engineer.post("/sessions/new/", {"mode": "flow", "client_name": "Fabrikam"})

    assert response.status_code == 400
    assert "Pick the runbook to follow." in response.text
    assert 'value="Fabrikam"' in response.text  # what was typed is kept
    assert not sessions_of(northwind).exists()


def test_another_accounts_runbook_is_refused(as_engineer, northwind, outsider):
    foreign = FlowFactory(account=outsider, name="Contoso runbook", slug="contoso-runbook")

    response = as_engineer.post("/sessions/new/", {"mode": "flow", "flow": foreign.pk})

    assert response.status_code == 400
    assert "That runbook is not in this account&#x27;s library." in response.text
    assert not sessions_of(northwind).exists()


def test_an_unknown_mode_is_refused(as_engineer, northwind):
    response = as_engineer.post("/sessions/new/", {"mode": "psychic", "problem": "Printer offline"})

    assert response.status_code == 400
    assert not sessions_of(northwind).exists()
