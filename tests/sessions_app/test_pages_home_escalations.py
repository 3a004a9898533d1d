"""Home: the technician's open sessions say where their escalation stands (picked up by,
returned with a note by), and the senior's "Escalations I hold"; both cards re-fetchable."""

import pytest

from handoffs import services
from tests.handoffs.escalations import escalated


@pytest.fixture
def handoff(northwind, engineer):
    return escalated(northwind, engineer, title="VPN drops", note="Stuck after the reinstall")


def test_the_technician_sees_who_picked_up_and_who_returned_with_the_note(client, engineer, senior, handoff):
    client.force_login(engineer)
    assert "Escalated: waiting for a senior" in client.get("/").content.decode()

    services.handoff_claim(handoff=handoff, actor=senior)
    assert "Picked up by Sam Senior" in client.get("/sessions/home-card/").content.decode()

    services.handoff_return(handoff=handoff, actor=senior, note="Update the NIC driver")
    card = client.get("/sessions/home-card/").content.decode()
    assert "Returned with a note by Sam Senior: “Update the NIC driver”" in card
    assert 'id="home-open-sessions"' in card and 'data-live-socket="/ws/v1/queue/"' in card


def test_the_senior_sees_the_escalations_they_hold_and_continues_into_the_session(client, senior, handoff):
    client.force_login(senior)
    assert 'data-testid="home-held-empty"' in client.get("/").content.decode()

    services.handoff_claim(handoff=handoff, actor=senior)
    card = client.get("/escalations/held/").content.decode()
    assert 'data-testid="home-held-item"' in card and "VPN drops" in card
    assert f'href="/sessions/{handoff.session_id}/#composer" data-testid="home-held-continue"' in card.replace(
        "\n               ", " ")


def test_a_viewer_has_no_escalations_i_hold_card(client, viewer, handoff):
    client.force_login(viewer)
    assert 'data-testid="home-held"' not in client.get("/").content.decode()
