"""The handoff-context screen: the snapshot laid out for a senior, and the actions on it."""

import re

import pytest

from accounts.models import Role
from handoffs import services
from handoffs.models import HandoffStatus
from sessions_app.models import Message, SessionStatus, TroubleshootingSession
from tests.factories import UserFactory
from tests.handoffs.escalations import HTMX, claimed, escalated
from tests.sessions_app.factories import FlowSessionFactory


@pytest.fixture
def peer(northwind):
    return UserFactory(account=northwind, role=Role.ENGINEER, email="pat@northwind.test", display_name="Pat Peer")


def session_of(handoff):
    return TroubleshootingSession.unscoped.get(pk=handoff.session_id)


def reloaded(handoff):
    handoff.refresh_from_db()
    return handoff


def test_the_context_shows_the_summary_first_then_fixes_facts_and_transcript(client, northwind, engineer, senior):
    handoff = escalated(northwind, engineer, note="Drops persist after the reinstall")
    client.force_login(senior)

    page = client.get(f"/escalations/{handoff.pk}/").text

    order = [page.index(marker) for marker in ('data-testid="handoff-summary"', 'data-testid="handoff-status"',
                                               'data-testid="handoff-fixes"', 'data-testid="handoff-facts"',
                                               'data-testid="handoff-transcript"')]
    assert order == sorted(order)
    assert handoff.context["summary"] in page.replace("&quot;", '"').replace("&#x27;", "'")
    assert 'data-testid="handoff-note">Drops persist after the reinstall<' in page
    assert re.search(r"Reinstall the VPN client.*?same drops", page, re.S)
    assert 'data-testid="handoff-fix-active"' in page  # "Disable IPv6" is being tried
    assert 'data-testid="handoff-fact">GlobalProtect 6.1<' in page
    assert "Drops every ten minutes, on Wi-Fi and cable alike." in page
    assert f'href="/sessions/{handoff.session_id}/" data-testid="handoff-open-session"' in page


def test_the_context_is_the_snapshot_not_the_session_as_it_is_now(client, northwind, engineer, senior):
    handoff = escalated(northwind, engineer)
    TroubleshootingSession.unscoped.filter(pk=handoff.session_id).update(title="Renamed later")
    client.force_login(senior)
    page = client.get(f"/escalations/{handoff.pk}/").text
    assert "VPN drops every 10 minutes" in page and "Renamed later" not in page


def test_a_flowpilot_escalation_shows_the_path_walked(client, northwind, engineer, senior):
    session = FlowSessionFactory(account=northwind, owner=engineer, flow__account=northwind)
    session.path = [{"step": "restart", "option": "No", "answered_at": "2026-11-25T10:00:00+00:00"}]
    session.current_step = "res-escalate"
    session.save()
    handoff = services.handoff_escalate(session=session, actor=engineer, note="The runbook says escalate")
    client.force_login(senior)

    page = client.get(f"/escalations/{handoff.pk}/").text

    assert 'data-testid="handoff-path"' in page
    assert "Did a restart fix it?" in page and "→ No" in page
    assert "Stopped at:</strong> Escalate." in page


def test_a_viewer_reads_the_context_and_is_offered_no_action(client, northwind, engineer, viewer):
    handoff = escalated(northwind, engineer)
    client.force_login(viewer)
    page = client.get(f"/escalations/{handoff.pk}/").text
    assert 'data-testid="handoff-summary"' in page
    for action in ("pickup", "release", "return", "resolve", "cancel"):
        assert f'data-testid="handoff-{action}"' not in page


def test_another_accounts_context_is_not_found(client, northwind, engineer, outsider_admin):
    handoff = escalated(northwind, engineer)
    client.force_login(outsider_admin)
    assert client.get(f"/escalations/{handoff.pk}/").status_code == 404
    for action in ("release", "return", "resolve", "cancel"):
        assert client.post(f"/escalations/{handoff.pk}/{action}/", {"note": "x", "resolution": "x"}).status_code == 404
    assert reloaded(handoff).status == HandoffStatus.OPEN


def test_the_claimant_is_offered_resolve_return_and_release(client, northwind, engineer, senior):
    handoff = claimed(northwind, engineer, senior)
    client.force_login(senior)
    page = client.get(f"/escalations/{handoff.pk}/").text
    assert 'data-testid="handoff-claimed-by">Sam Senior<' in page
    for action in ("resolve", "return", "release"):
        assert f'data-testid="handoff-{action}"' in page
    assert 'data-testid="handoff-pickup"' not in page


def test_pick_up_from_the_context_screen(client, northwind, engineer, senior):
    handoff = escalated(northwind, engineer)
    client.force_login(senior)
    response = client.post(f"/escalations/{handoff.pk}/claim/", {"origin": "context"})
    assert response.status_code == 302 and response.url == f"/escalations/{handoff.pk}/"
    assert reloaded(handoff).claimed_by == senior


def test_a_lost_race_on_the_context_screen_says_who_won_in_the_status_panel(client, northwind, engineer, senior,
                                                                            peer):
    handoff = claimed(northwind, engineer, senior)
    client.force_login(peer)
    response = client.post(f"/escalations/{handoff.pk}/claim/", {"origin": "context"}, headers=HTMX)
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#handoff-status"
    assert 'data-testid="handoff-error">Sam Senior picked this up first.<' in response.text


def test_returning_with_a_note_hands_the_session_back(client, northwind, engineer, senior):
    handoff = claimed(northwind, engineer, senior)
    client.force_login(senior)

    response = client.post(f"/escalations/{handoff.pk}/return/", {"note": "Update the NIC driver, then retry",
                                                                   "origin": "context"})

    assert response.status_code == 302 and response.url == f"/escalations/{handoff.pk}/"
    assert reloaded(handoff).status == HandoffStatus.RETURNED
    assert session_of(handoff).status == SessionStatus.ACTIVE
    assert Message.unscoped.filter(session_id=handoff.session_id, body__contains="Update the NIC driver").exists()
    page = client.get(response.url).text
    assert "Returned to Jamie Junior with your note" in page
    assert 'data-testid="handoff-return"' not in page


def test_returning_without_a_note_is_refused_inline_and_nothing_changes(client, northwind, engineer, senior):
    handoff = claimed(northwind, engineer, senior)
    client.force_login(senior)
    response = client.post(f"/escalations/{handoff.pk}/return/", {"note": "  ", "origin": "context"}, headers=HTMX)
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#handoff-status"
    assert "Say what the technician should do next." in response.text
    assert reloaded(handoff).status == HandoffStatus.CLAIMED


def test_resolving_closes_the_escalation_and_the_session_with_htmx(client, northwind, engineer, senior):
    handoff = claimed(northwind, engineer, senior)
    client.force_login(senior)

    response = client.post(f"/escalations/{handoff.pk}/resolve/", {"resolution": "Replaced the NIC driver",
                                                                    "origin": "context"}, headers=HTMX)

    assert response.status_code == 200
    assert 'id="handoff-status"' in response.text and 'data-status="resolved"' in response.text
    assert "Resolved: the session is closed with your resolution." in response.text  # messages, out of band
    session = session_of(handoff)
    assert (session.status, session.resolution) == (SessionStatus.RESOLVED, "Replaced the NIC driver")


def test_resolving_without_a_resolution_is_refused(client, northwind, engineer, senior):
    handoff = claimed(northwind, engineer, senior)
    client.force_login(senior)
    response = client.post(f"/escalations/{handoff.pk}/resolve/", {"resolution": "", "origin": "context"})
    assert response.status_code == 400
    assert "Say what fixed it" in response.text and "<h1" in response.text
    assert reloaded(handoff).status == HandoffStatus.CLAIMED


def test_a_colleague_who_did_not_pick_it_up_cannot_resolve(client, northwind, engineer, senior, peer):
    handoff = claimed(northwind, engineer, senior)
    client.force_login(peer)
    response = client.post(f"/escalations/{handoff.pk}/resolve/", {"resolution": "x"}, headers=HTMX)
    assert response.status_code == 403
    assert reloaded(handoff).status == HandoffStatus.CLAIMED


def test_releasing_puts_it_back_on_the_queue(client, northwind, engineer, senior):
    handoff = claimed(northwind, engineer, senior)
    client.force_login(senior)
    response = client.post(f"/escalations/{handoff.pk}/release/", {"origin": "context"}, headers=HTMX)
    assert response.status_code == 200
    assert reloaded(handoff).status == HandoffStatus.OPEN
    assert "Back on the queue" in response.text


def test_the_requester_cancels_an_open_escalation(client, northwind, engineer):
    handoff = escalated(northwind, engineer)
    client.force_login(engineer)
    response = client.post(f"/escalations/{handoff.pk}/cancel/", {"note": "Got it working", "origin": "context"})
    assert response.status_code == 302
    assert reloaded(handoff).status == HandoffStatus.CANCELLED
    assert session_of(handoff).status == SessionStatus.ACTIVE


def test_cancelling_a_claimed_escalation_is_a_conflict_naming_its_status(client, northwind, engineer, senior):
    handoff = claimed(northwind, engineer, senior)
    client.force_login(engineer)
    response = client.post(f"/escalations/{handoff.pk}/cancel/", {"origin": "context"}, headers=HTMX)
    assert response.status_code == 409
    assert "This escalation is picked up; it cannot be cancelled." in response.text
    assert reloaded(handoff).status == HandoffStatus.CLAIMED


def test_the_status_partial_is_the_panel_alone(client, northwind, engineer, senior):
    handoff = claimed(northwind, engineer, senior)
    client.force_login(senior)
    response = client.get(f"/escalations/{handoff.pk}/status/", headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="handoff-status"' in response.text
    assert f'data-live-socket="/ws/v1/sessions/{handoff.session_id}/"' in response.text
