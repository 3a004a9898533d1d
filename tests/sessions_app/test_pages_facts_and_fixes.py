"""The facts and fixes panels: add, edit and remove facts; propose fixes, make one active and
say how it went. Each htmx answer re-renders the panel, the ticket note and the status line
out of band; a refusal comes back next to the item, with the current state."""

import html
import re

import pytest

from sessions_app.models import Fact, Fix, FixStatus

from .factories import FactFactory, FixFactory, SessionFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer)


@pytest.fixture
def as_owner(client, engineer):
    client.force_login(engineer)
    return client


def facts(session):
    return dict(Fact.objects.for_account(session.account).filter(session=session).values_list("key", "value"))


def fix_status(fix):
    return Fix.objects.for_account(fix.account).get(pk=fix.pk).status


def oob_ids(body):
    return set(re.findall(r' id="([\w-]+)"[^>]*hx-swap-oob="true"', body))


# ---- facts --------------------------------------------------------------------------------


def test_adding_a_fact_updates_the_facts_and_the_ticket_note_in_one_answer(as_owner, session):
    response = as_owner.post(f"/sessions/{session.pk}/facts/", {"key": "Host Name", "value": "PC-FAB-07"}, headers=HTMX)

    assert response.status_code == 200
    assert facts(session) == {"host_name": "PC-FAB-07"}
    assert {"facts-list", "preview-body", "session-meta", "messages"} <= oob_ids(response.text)
    assert "transcript" not in oob_ids(response.text)  # nothing was said: the conversation keeps its scroll
    assert "host name: PC-FAB-07" in response.text  # the ticket note's Environment section
    assert "Fact host_name saved." in response.text


def test_without_javascript_adding_a_fact_redirects_back_to_the_panel(as_owner, session):
    response = as_owner.post(f"/sessions/{session.pk}/facts/", {"key": "os", "value": "Windows 11"})

    assert response.status_code == 302
    assert response.url == f"/sessions/{session.pk}/#facts"


def test_a_fact_without_a_value_is_refused_in_the_add_form(as_owner, session):
    response = as_owner.post(f"/sessions/{session.pk}/facts/", {"key": "os", "value": ""}, headers=HTMX)

    assert response.status_code == 400
    assert response["HX-Retarget"] == "#fact-add-error"
    assert "Give the fact a value." in response.text
    assert facts(session) == {}


def test_editing_a_fact_changes_its_name_and_value(as_owner, session):
    fact = FactFactory(session=session, key="os", value="Windows 10")

    response = as_owner.post(f"/sessions/{session.pk}/facts/{fact.pk}/", {"key": "os", "value": "Windows 11 24H2"},
                             headers=HTMX)

    assert response.status_code == 200
    assert facts(session) == {"os": "Windows 11 24H2"}
    assert "Windows 11 24H2" in response.text


def test_renaming_a_fact_onto_another_key_is_refused_next_to_that_fact_with_409(as_owner, session):
    fact = FactFactory(session=session, key="os", value="Windows 11")
    FactFactory(session=session, key="hostname", value="PC-1")

    response = as_owner.post(f"/sessions/{session.pk}/facts/{fact.pk}/", {"key": "hostname", "value": "PC-2"},
                             headers=HTMX)

    assert response.status_code == 409
    assert response["HX-Retarget"] == "#facts-list"
    assert response["HX-Reswap"] == "outerHTML"
    assert f'data-testid="fact-error-{fact.pk}"' in response.text
    assert "already has a fact named hostname" in response.text
    assert facts(session) == {"os": "Windows 11", "hostname": "PC-1"}


def test_removing_a_fact(as_owner, session):
    fact = FactFactory(session=session, key="os")

    response = as_owner.post(f"/sessions/{session.pk}/facts/{fact.pk}/delete/", headers=HTMX)

    assert response.status_code == 200
    assert facts(session) == {}
    assert 'data-testid="facts-empty"' in response.text
    assert "Fact os removed." in response.text


# ---- fixes --------------------------------------------------------------------------------


def test_proposing_a_fix(as_owner, session, engineer):
    response = as_owner.post(f"/sessions/{session.pk}/fixes/",
                             {"title": "Recreate the Outlook profile", "steps": "Control Panel > Mail\nAdd profile"},
                             headers=HTMX)

    assert response.status_code == 200
    fix = Fix.objects.for_account(session.account).get(session=session)
    assert (fix.title, fix.status, fix.proposed_by) == ("Recreate the Outlook profile", FixStatus.PROPOSED, engineer)
    assert {"fixes-list", "preview-body", "session-meta"} <= oob_ids(response.text)
    assert f'data-testid="fix-set-{fix.pk}-active"' in response.text


def test_a_fix_without_a_title_is_refused_in_the_propose_form(as_owner, session):
    response = as_owner.post(f"/sessions/{session.pk}/fixes/", {"title": ""}, headers=HTMX)

    assert response.status_code == 400
    assert response["HX-Retarget"] == "#fix-propose-error"
    assert "Give the fix a title." in response.text


def test_making_a_fix_active_then_marking_it_failed_with_an_outcome_note(as_owner, session):
    fix = FixFactory(session=session, title="Disable COM add-ins")

    activated = as_owner.post(f"/sessions/{session.pk}/fixes/{fix.pk}/status/", {"status": "active"}, headers=HTMX)
    failed = as_owner.post(f"/sessions/{session.pk}/fixes/{fix.pk}/status/",
                           {"status": "failed", "outcome_note": "Still hangs without add-ins"}, headers=HTMX)

    assert activated.status_code == 200
    assert f'data-testid="fix-outcome-{fix.pk}"' in activated.text  # the active fix asks how it went
    assert failed.status_code == 200
    fix.refresh_from_db()
    assert (fix.status, fix.outcome_note) == (FixStatus.FAILED, "Still hangs without add-ins")
    assert "Disable COM add-ins (did not help) - Still hangs without add-ins" in failed.text  # the ticket note
    assert f'data-testid="fix-set-{fix.pk}-active"' in failed.text  # "Try again"


def test_only_the_moves_a_fix_can_make_are_offered(as_owner, session):
    proposed = FixFactory(session=session, status=FixStatus.PROPOSED)
    worked = FixFactory(session=session, status=FixStatus.WORKED, title="Repair Office")

    page = as_owner.get(f"/sessions/{session.pk}/").text

    assert f'data-testid="fix-set-{proposed.pk}-active"' in page
    assert f'data-testid="fix-set-{proposed.pk}-skipped"' in page
    assert f'data-testid="fix-set-{proposed.pk}-failed"' not in page
    assert f'data-testid="fix-set-{worked.pk}-' not in page


def test_a_second_active_fix_is_refused_next_to_it_naming_the_one_being_tried(as_owner, session):
    FixFactory(session=session, title="Disable COM add-ins", status=FixStatus.ACTIVE)
    other = FixFactory(session=session, title="Repair Office")

    response = as_owner.post(f"/sessions/{session.pk}/fixes/{other.pk}/status/", {"status": "active"}, headers=HTMX)

    assert response.status_code == 409
    assert response["HX-Retarget"] == "#fixes-list"
    assert f'data-testid="fix-error-{other.pk}"' in response.text
    assert "“Disable COM add-ins” is being tried" in response.text
    assert fix_status(other) == FixStatus.PROPOSED


def test_a_move_that_is_not_allowed_is_refused_with_409_and_the_current_state(as_owner, session):
    fix = FixFactory(session=session, status=FixStatus.WORKED)

    response = as_owner.post(f"/sessions/{session.pk}/fixes/{fix.pk}/status/", {"status": "failed"}, headers=HTMX)

    assert response.status_code == 409
    assert "A worked fix cannot become failed." in response.text
    assert fix_status(fix) == FixStatus.WORKED


def test_an_unknown_fix_status_is_refused_with_400(as_owner, session):
    fix = FixFactory(session=session)

    response = as_owner.post(f"/sessions/{session.pk}/fixes/{fix.pk}/status/", {"status": "maybe"}, headers=HTMX)

    assert response.status_code == 400
    assert fix_status(fix) == FixStatus.PROPOSED


@pytest.mark.parametrize("persona", ["viewer", "senior"])
def test_facts_and_fixes_refuse_people_who_may_not_write_with_the_reason(client, personas, persona, session):
    fact, fix = FactFactory(session=session, key="os", value="Windows 11"), FixFactory(session=session)
    client.force_login(personas[persona])

    responses = [
        client.post(f"/sessions/{session.pk}/facts/", {"key": "hostname", "value": "PC-1"}, headers=HTMX),
        client.post(f"/sessions/{session.pk}/facts/{fact.pk}/", {"key": "os", "value": "Linux"}, headers=HTMX),
        client.post(f"/sessions/{session.pk}/facts/{fact.pk}/delete/", headers=HTMX),
        client.post(f"/sessions/{session.pk}/fixes/", {"title": "Reboot"}, headers=HTMX),
        client.post(f"/sessions/{session.pk}/fixes/{fix.pk}/status/", {"status": "active"}, headers=HTMX),
    ]

    assert [response.status_code for response in responses] == [403] * 5
    reason = "Viewers have read-only access" if persona == "viewer" else "Only the session's owner"
    assert all(reason in html.unescape(response.text) for response in responses)
    assert facts(session) == {"os": "Windows 11"}
    assert fix_status(fix) == FixStatus.PROPOSED


# ---- the banner says how it went ------------------------------------------------------------


def banner(body):
    """``(level, text)`` of the messages region's one message."""
    found = re.findall(r'class="message message--(\w+)" data-testid="message">([^<]*)<', body)
    assert len(found) == 1, found
    return found[0][0], html.unescape(found[0][1])


@pytest.mark.parametrize(("status", "level", "words"), [
    ("worked", "success", "worked"),
    ("failed", "warning", "failed"),
    ("skipped", "info", "was skipped"),
])
def test_the_banner_after_an_outcome_is_green_only_when_the_fix_worked(as_owner, session, status, level, words):
    fix = FixFactory(session=session, title="Disable COM add-ins", status=FixStatus.ACTIVE)

    response = as_owner.post(f"/sessions/{session.pk}/fixes/{fix.pk}/status/", {"status": status}, headers=HTMX)

    assert response.status_code == 200
    assert banner(response.text) == (level, f"“Disable COM add-ins” {words}.")


def test_without_javascript_a_failed_fix_shows_a_warning_on_the_session_page(as_owner, session):
    fix = FixFactory(session=session, title="Disable COM add-ins", status=FixStatus.ACTIVE)

    response = as_owner.post(f"/sessions/{session.pk}/fixes/{fix.pk}/status/", {"status": "failed"}, follow=True)

    assert banner(response.content.decode()) == ("warning", "“Disable COM add-ins” failed.")
