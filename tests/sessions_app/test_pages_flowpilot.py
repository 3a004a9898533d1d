"""The FlowPilot page: the current step with its options, the path so far, step back, notes,
and Resolve offered at a resolution step (with a "this runbook can't fix it" notice when
the step hands over)."""

import html
import re

import pytest

from sessions_app.flows.library import load_library
from sessions_app.models import Flow, Message, MessageKind, SessionStatus, TroubleshootingSession

from .factories import FlowFactory, FlowSessionFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def session(northwind, engineer):
    return FlowSessionFactory(account=northwind, owner=engineer, flow=FlowFactory(name="Restart first"))


@pytest.fixture
def as_owner(client, engineer):
    client.force_login(engineer)
    return client


def reloaded(session):
    return TroubleshootingSession.objects.for_account(session.account).get(pk=session.pk)


def oob_ids(body):
    return set(re.findall(r' id="([\w-]+)"[^>]*hx-swap-oob="true"', body))


def answer(client, session, option, step=None, **headers):
    return client.post(f"/sessions/{session.pk}/flow/answer/",
                       {"step": step or reloaded(session).current_step, "option": option}, headers=headers)


def test_the_page_shows_the_current_step_with_numbered_options(as_owner, session):
    page = as_owner.get(f"/sessions/{session.pk}/").text

    assert 'data-testid="flow-step-text"' in page and "Did a restart fix it?" in page
    assert 'data-testid="flow-option-1"' in page and 'data-option-key="1"' in page
    assert 'data-testid="flow-option-2"' in page and 'data-option-key="2"' in page
    assert 'data-testid="flow-path-empty"' in page
    assert 'data-testid="flow-back"' not in page  # nothing to go back to yet
    assert 'data-testid="note-input"' in page
    assert 'data-testid="composer-input"' not in page  # FlowPilot has notes, not a chat


def test_answering_moves_to_the_next_step_and_updates_the_path_out_of_band(as_owner, session):
    response = answer(as_owner, session, "Yes", **HTMX)

    assert response.status_code == 200
    assert reloaded(session).current_step == "res-fixed"
    assert {"flow-step", "flow-path", "preview-body", "session-meta"} <= oob_ids(response.text)
    assert 'data-testid="flow-path-item"' in response.text
    assert "→ Yes" in response.text


def test_a_resolution_step_offers_resolve_with_the_steps_text_prefilled(as_owner, session):
    answer(as_owner, session, "Yes")

    page = as_owner.get(f"/sessions/{session.pk}/").text

    assert 'data-testid="flow-resolve-note"' in page
    assert re.search(r'data-testid="flow-resolve-note">A restart fixed it\.</textarea>', page)
    assert 'data-testid="flow-escalate-notice"' not in page
    assert 'data-testid="flow-option-1"' not in page


def test_resolving_from_the_resolution_step(as_owner, session):
    answer(as_owner, session, "Yes")

    response = as_owner.post(f"/sessions/{session.pk}/resolve/", {"resolution": "A restart fixed it."},
                             headers={**HTMX, "HX-Trigger": "flow-resolve-form"})

    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    assert reloaded(session).status == SessionStatus.RESOLVED
    page = as_owner.get(f"/sessions/{session.pk}/").text
    assert 'data-testid="session-resolution"' in page
    assert 'data-testid="flow-resolve-note"' not in page


def test_an_empty_resolution_is_refused_next_to_the_steps_form(as_owner, session):
    answer(as_owner, session, "Yes")

    response = as_owner.post(f"/sessions/{session.pk}/resolve/", {"resolution": ""},
                             headers={**HTMX, "HX-Trigger": "flow-resolve-form"})

    assert response.status_code == 400
    assert response["HX-Retarget"] == "#flow-resolve-error"


def test_a_hand_over_step_says_this_runbook_cannot_fix_it_and_prefills_nothing(as_owner, session):
    answer(as_owner, session, "No")

    page = html.unescape(as_owner.get(f"/sessions/{session.pk}/").text)

    assert 'data-testid="flow-escalate-notice"' in page
    assert "This runbook can't fix it." in page
    assert 'data-testid="flow-resolve-note"></textarea>' in page


def test_stepping_back_returns_to_the_answered_step(as_owner, session):
    answer(as_owner, session, "No")

    response = as_owner.post(f"/sessions/{session.pk}/flow/back/", headers=HTMX)

    assert response.status_code == 200
    session = reloaded(session)
    assert (session.current_step, session.path) == ("restart", [])
    assert "Did a restart fix it?" in response.text


def test_stepping_back_at_the_first_step_is_refused_in_the_step_panel(as_owner, session):
    response = as_owner.post(f"/sessions/{session.pk}/flow/back/", headers=HTMX)

    assert response.status_code == 409
    assert response["HX-Retarget"] == "#flow-step"
    assert 'data-testid="flow-error"' in response.text
    assert "nothing to go back to" in response.text


def test_answering_a_step_that_is_no_longer_current_shows_the_real_current_step(as_owner, session):
    answer(as_owner, session, "Yes")  # another tab moved on

    response = answer(as_owner, session, "No", step="restart", **HTMX)

    assert response.status_code == 409
    assert response["HX-Retarget"] == "#flow-step"
    assert "no longer the current one" in html.unescape(response.text)
    assert "A restart fixed it." in response.text  # the step the session is really at
    assert 'id="flow-path"' in response.text  # and the path, refreshed out of band
    assert reloaded(session).current_step == "res-fixed"


def test_an_option_the_step_does_not_have_is_refused(as_owner, session):
    response = answer(as_owner, session, "Maybe", **HTMX)

    assert response.status_code == 400
    assert "is not an option of this step" in html.unescape(response.text)
    assert reloaded(session).current_step == "restart"


def test_a_note_is_added_to_the_notes_without_a_reply(as_owner, session):
    response = as_owner.post(f"/sessions/{session.pk}/messages/", {"kind": "note", "body": "User rebooted twice"},
                             headers={**HTMX, "HX-Trigger": "note-form"})

    assert response.status_code == 200
    assert "User rebooted twice" in response.text
    assert list(Message.objects.for_account(session.account).filter(session=session)
                .values_list("kind", flat=True)) == [MessageKind.NOTE]


def test_an_empty_note_is_refused_next_to_the_note_form(as_owner, session):
    response = as_owner.post(f"/sessions/{session.pk}/messages/", {"kind": "note", "body": ""},
                             headers={**HTMX, "HX-Trigger": "note-form"})

    assert response.status_code == 400
    assert response["HX-Retarget"] == "#note-error"


def test_a_viewer_sees_the_step_and_its_options_but_cannot_answer(client, viewer, session):
    client.force_login(viewer)

    page = client.get(f"/sessions/{session.pk}/").text
    response = answer(client, session, "Yes", **HTMX)

    assert "Did a restart fix it?" in page
    assert 'data-testid="flow-options-read-only"' in page
    assert 'data-testid="flow-option-1"' not in page and 'data-testid="note-input"' not in page
    assert response.status_code == 403
    assert reloaded(session).current_step == "restart"


def test_a_starter_runbook_walks_to_its_resolution_on_the_pages(as_owner, northwind, engineer):
    load_library()
    printer = Flow.objects.available_to(northwind).get(slug="printer-offline-spooler")
    created = as_owner.post("/sessions/new/", {"mode": "flow", "flow": printer.pk, "client_name": "Fabrikam"})
    session = TroubleshootingSession.objects.for_account(northwind).get()
    assert created.url == f"/sessions/{session.pk}/#current-step"

    answer(as_owner, session, "Others can, this user cannot", **HTMX)
    answer(as_owner, session, "Queue clears and the test page prints", **HTMX)
    page = as_owner.get(f"/sessions/{session.pk}/").text

    assert reloaded(session).current_step == "res-spooler"
    assert "Stuck jobs blocked the queue" in page
    assert page.count('data-testid="flow-path-item"') == 2
    assert "Runbook:" in page  # the ticket note lists the path
