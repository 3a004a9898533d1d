"""The escalation panel of the session page: the Escalate form (owner or peer), then the
live status, served by handoffs and included in the sessions_app template."""

import pytest

from accounts.models import Role
from handoffs import services
from handoffs.models import Handoff, HandoffStatus
from sessions_app.models import SessionStatus
from tests.factories import UserFactory
from tests.handoffs.escalations import HTMX, claimed, escalated
from tests.sessions_app.factories import SessionFactory


@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer, title="Outlook hangs on Loading profile")


@pytest.fixture
def peer(northwind):
    return UserFactory(account=northwind, role=Role.ENGINEER, email="pat@northwind.test", display_name="Pat Peer")


def panel(client, session):
    response = client.get(f"/sessions/{session.pk}/escalation/", headers=HTMX)
    assert response.status_code == 200
    return response.text


def test_the_session_page_includes_the_panel_with_the_escalate_form_for_its_owner(client, session, engineer):
    client.force_login(engineer)
    page = client.get(f"/sessions/{session.pk}/").text
    assert 'id="session-escalation"' in page
    assert f'data-live-socket="/ws/v1/sessions/{session.pk}/"' in page
    for testid in ("escalate-open", "escalate-note", "escalate-urgency", "escalate-submit"):
        assert f'data-testid="{testid}"' in page
    assert "escalate-peer-hint" not in page


def test_a_colleague_may_escalate_for_the_owner_and_is_told_so(client, session, peer):
    client.force_login(peer)
    page = panel(client, session)
    assert 'data-testid="escalate-submit"' in page
    assert "You escalate for Jamie Junior" in page


def test_a_viewer_gets_no_escalate_form(client, session, viewer):
    client.force_login(viewer)
    page = panel(client, session)
    assert "escalate-submit" not in page
    assert " hidden>" in page  # nothing to show yet, but it follows the session live


def test_escalating_with_htmx_reloads_the_session_page(client, session, engineer):
    client.force_login(engineer)

    response = client.post(f"/sessions/{session.pk}/escalate/", {"note": "Profile rebuild did not help",
                                                                  "urgency": "high"}, headers=HTMX)

    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    handoff = Handoff.unscoped.get(session=session)
    assert (handoff.status, handoff.urgency, handoff.note) == ("open", "high", "Profile rebuild did not help")
    assert (handoff.requested_by, handoff.handed_off_by) == (engineer, engineer)
    page = panel(client, session)
    assert 'data-testid="escalation-status" data-status="open"' in page
    assert "Escalated: waiting for a senior" in page and 'data-testid="escalation-age"' in page
    assert "escalate-submit" not in page


def test_without_javascript_escalating_redirects_back_to_the_session(client, session, peer, engineer):
    client.force_login(peer)
    response = client.post(f"/sessions/{session.pk}/escalate/", {"note": "Jamie has no signal", "urgency": "normal"})
    assert response.status_code == 302
    assert response.url == f"/sessions/{session.pk}/#session-escalation"
    handoff = Handoff.unscoped.get(session=session)
    assert (handoff.requested_by, handoff.handed_off_by) == (engineer, peer)


def test_a_second_escalation_is_refused_in_the_panel(client, session, engineer, peer):
    services.handoff_escalate(note="Stuck on it", session=session, actor=peer)
    client.force_login(engineer)
    response = client.post(f"/sessions/{session.pk}/escalate/", {"note": "Stuck", "urgency": "normal"}, headers=HTMX)
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#session-escalation"
    assert 'data-testid="escalation-error">This session is already escalated.<' in response.text
    assert Handoff.unscoped.filter(session=session).count() == 1


def test_an_escalation_without_a_note_is_refused_in_the_panel_and_nothing_is_escalated(client, session, engineer):
    client.force_login(engineer)
    response = client.post(f"/sessions/{session.pk}/escalate/", {"note": "  ", "urgency": "high"}, headers=HTMX)
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#session-escalation"
    assert 'data-testid="escalation-error">Say where you are stuck' in response.text
    assert 'id="escalate-note" name="note" rows="3" required' in response.text
    assert not Handoff.unscoped.filter(session=session).exists()


def test_an_unknown_urgency_is_refused_and_nothing_is_escalated(client, session, engineer):
    client.force_login(engineer)
    response = client.post(f"/sessions/{session.pk}/escalate/", {"urgency": "asap"}, headers=HTMX)
    assert response.status_code == 400
    assert "is not an urgency" in response.text
    assert not Handoff.unscoped.filter(session=session).exists()


def test_a_viewer_cannot_escalate(client, session, viewer):
    client.force_login(viewer)
    response = client.post(f"/sessions/{session.pk}/escalate/", {"urgency": "normal"}, headers=HTMX)
    assert response.status_code == 403
    assert "Viewers cannot escalate" in response.text
    assert not Handoff.unscoped.filter(session=session).exists()


def test_another_accounts_session_cannot_be_escalated_or_watched(client, session, outsider_admin):
    client.force_login(outsider_admin)
    assert client.post(f"/sessions/{session.pk}/escalate/", {"urgency": "normal"}).status_code == 404
    assert client.get(f"/sessions/{session.pk}/escalation/").status_code == 404
    assert not Handoff.unscoped.filter(session=session).exists()


def test_the_panel_says_who_picked_it_up(client, northwind, engineer, senior):
    handoff = claimed(northwind, engineer, senior)
    client.force_login(engineer)
    page = panel(client, handoff.session)
    assert 'data-testid="escalation-claimed-by">Picked up by Sam Senior<' in page


def test_the_panel_shows_the_return_note_and_offers_to_escalate_again(client, northwind, engineer, senior):
    handoff = claimed(northwind, engineer, senior)
    services.handoff_return(handoff=handoff, actor=senior, note="Rebuild the OST, then call me")
    client.force_login(engineer)
    page = panel(client, handoff.session)
    assert 'data-testid="escalation-status" data-status="returned"' in page
    assert 'data-testid="escalation-return-note">Rebuild the OST, then call me<' in page
    assert "Escalate again…" in page


def test_the_panel_shows_a_resolved_escalation_and_no_form(client, northwind, engineer, senior):
    handoff = claimed(northwind, engineer, senior)
    services.handoff_resolve(handoff=handoff, actor=senior, resolution="New profile")
    client.force_login(engineer)
    page = panel(client, handoff.session)
    assert "Escalation resolved" in page and "New profile" in page
    assert "escalate-submit" not in page


def test_the_requester_cancels_from_the_session_page(client, northwind, engineer):
    handoff = escalated(northwind, engineer)
    client.force_login(engineer)
    assert 'data-testid="escalation-cancel"' in panel(client, handoff.session)

    response = client.post(f"/escalations/{handoff.pk}/cancel/", {"origin": "session"}, headers=HTMX)

    assert response["HX-Refresh"] == "true"
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.CANCELLED
    assert handoff.session.status == SessionStatus.ACTIVE
