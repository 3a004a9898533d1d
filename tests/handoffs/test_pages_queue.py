"""The Escalation Queue page, its partials, and Pick Up from a card."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from handoffs import services
from handoffs.models import Handoff, HandoffStatus
from tests.factories import UserFactory
from tests.handoffs.escalations import HTMX, claimed, escalated


@pytest.fixture
def peer(northwind):
    return UserFactory(account=northwind, role=Role.ENGINEER, email="pat@northwind.test", display_name="Pat Peer")


def cards(html):
    return re.findall(r'data-testid="queue-card" data-handoff="([0-9a-f-]+)"', html)


def card_html(html, handoff):
    start = html.index(f'id="handoff-{handoff.pk}"')
    return html[start:html.index("</article>", start)]


def test_the_queue_asks_anonymous_visitors_to_log_in(client):
    response = client.get("/escalations/")
    assert response.status_code == 302
    assert response.url == "/login/?next=/escalations/"


def test_platform_staff_without_an_account_are_refused(client, db):
    client.force_login(UserFactory(account=None, is_staff=True))
    assert client.get("/escalations/").status_code == 403


def test_open_and_claimed_escalations_are_listed_most_urgent_first_then_oldest(client, northwind, engineer, senior):
    old_normal = escalated(northwind, engineer, title="Printer offline")
    Handoff.unscoped.filter(pk=old_normal.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    new_normal = escalated(northwind, engineer, title="Teams crashes")
    critical = escalated(northwind, engineer, urgency="critical", title="Server down")
    low = claimed(northwind, engineer, senior, urgency="low", title="Slow laptop")
    closed = escalated(northwind, engineer, title="Cancelled one")
    services.handoff_cancel(handoff=closed, actor=engineer)
    client.force_login(senior)

    page = client.get("/escalations/").text

    assert cards(page) == [str(critical.pk), str(old_normal.pk), str(new_normal.pk), str(low.pk)]
    assert "Cancelled one" not in page


def test_a_card_shows_urgency_title_client_ticket_requester_escalator_note_and_age(client, northwind, engineer,
                                                                                    senior, peer):
    handoff = escalated(northwind, engineer, actor=peer, urgency="high", note="Jamie is on site without signal")
    client.force_login(senior)

    card = card_html(client.get("/escalations/").text, handoff)

    assert 'data-testid="queue-card-urgency">High<' in card
    assert "VPN drops every 10 minutes" in card and "Harbor Dental" in card and "Ticket T-1042" in card
    assert "From <strong>Jamie Junior</strong>" in card
    assert 'data-testid="queue-card-escalator">Pat Peer<' in card
    assert "Jamie is on site without signal" in card
    assert f'data-since="{handoff.created_at.isoformat()[:19]}' in card
    assert 'data-testid="queue-card-pickup"' in card


def test_another_accounts_escalations_never_show(client, northwind, outsider, engineer, outsider_admin):
    ours = escalated(northwind, engineer)
    theirs_owner = UserFactory(account=outsider, role=Role.ENGINEER)
    theirs = escalated(outsider, theirs_owner, title="Contoso mail down")
    client.force_login(outsider_admin)

    page = client.get("/escalations/").text

    assert cards(page) == [str(theirs.pk)]
    assert str(ours.pk) not in page and "VPN drops" not in page


def test_a_viewer_reads_the_queue_but_is_offered_no_pick_up(client, northwind, engineer, viewer):
    escalated(northwind, engineer)
    client.force_login(viewer)
    page = client.get("/escalations/").text
    assert len(cards(page)) == 1
    assert "queue-card-pickup" not in page


@pytest.mark.parametrize("who", ["requester", "escalator"])
def test_no_pick_up_is_offered_on_ones_own_escalation(client, northwind, engineer, peer, who):
    escalated(northwind, engineer, actor=peer)
    client.force_login(engineer if who == "requester" else peer)
    assert "queue-card-pickup" not in client.get("/escalations/").text


def test_a_claimed_card_says_who_picked_it_up_and_offers_no_pick_up(client, northwind, engineer, senior, peer):
    handoff = claimed(northwind, engineer, senior)
    client.force_login(peer)
    card = card_html(client.get("/escalations/").text, handoff)
    assert re.search(r'data-testid="queue-card-claimed-by">Picked up by <strong>Sam Senior</strong>', card)
    assert "queue-card-pickup" not in card


def test_an_escalation_waiting_past_the_accounts_threshold_is_highlighted(client, northwind, engineer, senior):
    northwind.unclaimed_alert_minutes = 10
    northwind.save()
    late = escalated(northwind, engineer, title="Late one")
    Handoff.unscoped.filter(pk=late.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    fresh = escalated(northwind, engineer, title="Fresh one")
    client.force_login(senior)

    page = client.get("/escalations/").text

    late_card, fresh_card = card_html(page, late), card_html(page, fresh)
    assert "is-overdue" in late_card and "data-alert-at" not in late_card
    assert "is-overdue" not in fresh_card
    # The fresh one turns at the threshold in the browser: live.js reads data-alert-at.
    alert_at = (Handoff.unscoped.get(pk=fresh.pk).created_at + timedelta(minutes=10)).isoformat()[:19]
    assert f'data-alert-at="{alert_at}' in fresh_card


def test_an_alerted_escalation_is_highlighted_whatever_its_age(client, northwind, engineer, senior):
    handoff = escalated(northwind, engineer)
    services.handoff_alert(handoff=handoff)
    client.force_login(senior)
    assert "is-overdue" in card_html(client.get("/escalations/").text, handoff)


def test_pick_up_claims_and_opens_the_handoff_context(client, northwind, engineer, senior):
    handoff = escalated(northwind, engineer)
    client.force_login(senior)

    response = client.post(f"/escalations/{handoff.pk}/claim/", {"origin": "queue"})

    assert response.status_code == 302
    assert response.url == f"/escalations/{handoff.pk}/"
    handoff.refresh_from_db()
    assert (handoff.status, handoff.claimed_by) == (HandoffStatus.CLAIMED, senior)


def test_with_htmx_pick_up_sends_the_browser_to_the_handoff_context(client, northwind, engineer, senior):
    handoff = escalated(northwind, engineer)
    client.force_login(senior)
    response = client.post(f"/escalations/{handoff.pk}/claim/", {"origin": "queue"}, headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/escalations/{handoff.pk}/"


def test_a_lost_race_tells_who_won_on_the_card(client, northwind, engineer, senior, peer):
    handoff = claimed(northwind, engineer, senior)
    client.force_login(peer)

    response = client.post(f"/escalations/{handoff.pk}/claim/", {"origin": "queue"}, headers=HTMX)

    assert response.status_code == 409
    assert response["HX-Retarget"] == f"#handoff-{handoff.pk}"
    assert response.text.lstrip().startswith(f'<article id="handoff-{handoff.pk}"')
    assert 'data-testid="queue-card-error">Sam Senior picked this up first.<' in response.text
    assert "queue-card-pickup" not in response.text


def test_without_javascript_a_lost_race_shows_the_queue_with_who_won(client, northwind, engineer, senior, peer):
    handoff = claimed(northwind, engineer, senior)
    client.force_login(peer)
    response = client.post(f"/escalations/{handoff.pk}/claim/", {"origin": "queue"})
    assert response.status_code == 409
    assert "<h1>Escalation Queue</h1>" in response.text
    assert "Sam Senior picked this up first." in card_html(response.text, handoff)


def test_pick_up_of_an_escalation_that_left_the_queue_drops_the_card_and_says_why(client, northwind, engineer,
                                                                                  senior):
    handoff = escalated(northwind, engineer)
    services.handoff_cancel(handoff=handoff, actor=engineer)
    client.force_login(senior)
    response = client.post(f"/escalations/{handoff.pk}/claim/", {"origin": "queue"}, headers=HTMX)
    assert response.status_code == 409
    assert 'data-testid="queue-card-gone"' in response.text
    assert "it cannot be picked up" in response.text  # the messages region, out of band


def test_a_viewer_cannot_pick_up(client, northwind, engineer, viewer):
    handoff = escalated(northwind, engineer)
    client.force_login(viewer)
    response = client.post(f"/escalations/{handoff.pk}/claim/", {"origin": "queue"}, headers=HTMX)
    assert response.status_code == 403
    assert "Viewers cannot pick up escalations." in response.text
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.OPEN


def test_the_requester_cannot_pick_up_their_own_escalation(client, northwind, engineer):
    handoff = escalated(northwind, engineer)
    client.force_login(engineer)
    response = client.post(f"/escalations/{handoff.pk}/claim/", {"origin": "queue"}, headers=HTMX)
    assert response.status_code == 403
    assert "a colleague picks it up" in response.text


def test_another_accounts_escalation_is_not_found(client, northwind, engineer, outsider_admin):
    handoff = escalated(northwind, engineer)
    client.force_login(outsider_admin)
    for url in (f"/escalations/{handoff.pk}/", f"/escalations/{handoff.pk}/card/",
                f"/escalations/{handoff.pk}/status/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/escalations/{handoff.pk}/claim/", {"origin": "queue"}).status_code == 404
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.OPEN


def test_pick_up_is_post_only(client, northwind, engineer, senior):
    handoff = escalated(northwind, engineer)
    client.force_login(senior)
    assert client.get(f"/escalations/{handoff.pk}/claim/").status_code == 405
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.OPEN


# ---- partials live.js fetches -----------------------------------------------------------------


def test_the_list_partial_is_the_list_alone_with_the_accounts_newest_seq(client, northwind, engineer, senior):
    handoff = escalated(northwind, engineer)
    client.force_login(senior)
    response = client.get("/escalations/list/", headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert cards(response.text) == [str(handoff.pk)]
    assert handoff.events.get().seq == 1  # the account's first event
    assert 'data-seq="1"' in response.text
    assert "no-cache" in response["Cache-Control"]


def test_the_list_partial_says_so_when_nobody_is_stuck(client, senior):
    client.force_login(senior)
    assert 'data-testid="queue-empty"' in client.get("/escalations/list/").text


def test_the_card_partial_renders_one_live_card(client, northwind, engineer, senior):
    handoff = escalated(northwind, engineer)
    client.force_login(senior)
    response = client.get(f"/escalations/{handoff.pk}/card/", headers=HTMX)
    assert response.status_code == 200
    assert cards(response.text) == [str(handoff.pk)]
    assert "<html" not in response.text


def test_the_card_partial_of_a_closed_escalation_is_empty_so_the_card_leaves(client, northwind, engineer, senior):
    handoff = escalated(northwind, engineer)
    services.handoff_cancel(handoff=handoff, actor=engineer)
    client.force_login(senior)
    response = client.get(f"/escalations/{handoff.pk}/card/", headers=HTMX)
    assert response.status_code == 200
    assert response.text == ""


# ---- navigation -------------------------------------------------------------------------------


def test_engineers_see_escalations_in_the_navigation_with_the_open_count(client, northwind, engineer, senior):
    escalated(northwind, engineer)
    claimed(northwind, engineer, senior)
    escalated(northwind, engineer)
    client.force_login(senior)
    page = client.get("/escalations/").text
    assert re.search(r'data-testid="nav-escalations" aria-current="page">Escalations <span class="nav-count" '
                     r'data-testid="nav-escalations-count">2</span>', page)


def test_viewers_see_the_link_without_a_count(client, viewer):
    client.force_login(viewer)
    page = client.get("/").text
    assert 'data-testid="nav-escalations"' in page
    assert "nav-escalations-count" not in page
