"""The returned panel of the session page speaks to whoever reads it, and the claimant's
Return and Resolve sit next to the composer (for the claimant only)."""

import pytest

from handoffs import services
from tests.handoffs.escalations import escalated

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(northwind, engineer, senior):
    handoff = escalated(northwind, engineer)
    services.handoff_claim(handoff=handoff, actor=senior)
    return services.handoff_return(handoff=handoff, actor=senior, note="Update the NIC driver")


@pytest.mark.parametrize(("reader", "words"), [
    ("engineer", "Returned to you by Sam Senior"),
    ("senior", "Returned to Jamie Junior by you"),
    ("viewer", "Returned to Jamie Junior by Sam Senior"),
])
def test_the_returned_panel_names_the_reader_as_you(client, personas, returned, reader, words):
    client.force_login(personas[reader])
    page = client.get(f"/sessions/{returned.session_id}/").content.decode()
    assert f'data-testid="escalation-returned-by">{words}</strong> with a coaching note' in page
    assert "Update the NIC driver" in page


def test_only_the_claimant_sees_return_and_resolve_next_to_the_composer(client, northwind, engineer, senior,
                                                                         viewer):
    handoff = services.handoff_claim(handoff=escalated(northwind, engineer), actor=senior)
    url = f"/sessions/{handoff.session_id}/"

    client.force_login(senior)
    mine = client.get(url).content.decode()
    assert 'data-testid="claim-return-note"' in mine and 'data-testid="claim-resolve"' in mine
    assert 'data-testid="resolve-open"' not in mine  # one Resolve for the claimant, the one beside the composer
    for other in (engineer, viewer):
        client.force_login(other)
        assert 'data-testid="claim-actions"' not in client.get(url).content.decode()


def test_return_from_the_session_page_needs_a_coaching_note(client, northwind, engineer, senior):
    handoff = services.handoff_claim(handoff=escalated(northwind, engineer), actor=senior)
    client.force_login(senior)
    response = client.post(f"/escalations/{handoff.pk}/return/", {"origin": "session", "note": " "},
                           headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#session-escalation"
    handoff.refresh_from_db()
    assert handoff.status == "claimed"
