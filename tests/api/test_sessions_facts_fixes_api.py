"""Facts and fixes of a session through the API."""

import pytest
from django.urls import reverse

from sessions_app.models import Fact, Fix, FixStatus
from tests.sessions_app.factories import FactFactory, FixFactory, SessionFactory


@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer)


def facts_url(session, fact=None):
    if fact is None:
        return reverse("session-fact-list", args=[session.pk])
    return reverse("session-fact-detail", args=[session.pk, fact.pk])


def fixes_url(session, fix=None):
    if fix is None:
        return reverse("session-fix-list", args=[session.pk])
    return reverse("session-fix-detail", args=[session.pk, fix.pk])


def facts_of(session):
    return dict(Fact.objects.for_account(session.account).filter(session=session).values_list("key", "value"))


# ---- facts --------------------------------------------------------------------------------


def test_everyone_reads_the_facts_by_key(api, viewer, session):
    FactFactory(session=session, key="os", value="Windows 11")
    FactFactory(session=session, key="error_code", value="0x80070005")
    body = api.as_user(viewer).get(facts_url(session)).json()
    assert [(row["key"], row["value"], row["source"]) for row in body["results"]] == [
        ("error_code", "0x80070005", "tech"), ("os", "Windows 11", "tech")]


def test_one_fact_is_read_by_id(api, viewer, session):
    fact = FactFactory(session=session, key="os", value="Windows 11")
    assert api.as_user(viewer).get(facts_url(session, fact)).json()["value"] == "Windows 11"


def test_the_owner_sets_a_fact_under_a_normalised_key(api, engineer, session):
    response = api.as_user(engineer).post(facts_url(session), {"key": "Error Code", "value": "0x80070005"},
                                          format="json")
    assert response.status_code == 201
    assert (response.json()["key"], response.json()["author"]["id"]) == ("error_code", str(engineer.pk))


def test_setting_a_known_key_replaces_the_value(api, engineer, session):
    FactFactory(session=session, key="os", value="Windows 10")
    api.as_user(engineer).post(facts_url(session), {"key": "os", "value": "Windows 11"}, format="json")
    assert facts_of(session) == {"os": "Windows 11"}


@pytest.mark.parametrize(("body", "field"), [
    ({"key": "os"}, "value"), ({"value": "x"}, "key"), ({"key": "k" * 65, "value": "x"}, "key"),
    ({"key": "os", "value": "v" * 501}, "value"), ({"key": "", "value": "x"}, "key"),
])
def test_a_fact_needs_a_short_key_and_value(api, engineer, session, body, field):
    response = api.as_user(engineer).post(facts_url(session), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert facts_of(session) == {}


def test_a_fact_is_edited_and_removed(api, engineer, session):
    fact = FactFactory(session=session, key="os", value="Win10")
    response = api.as_user(engineer).patch(facts_url(session, fact), {"key": "OS Build", "value": "22H2"},
                                           format="json")
    assert (response.status_code, response.json()["key"]) == (200, "os_build")
    assert api.as_user(engineer).delete(facts_url(session, fact)).status_code == 204
    assert facts_of(session) == {}


def test_renaming_a_fact_onto_another_is_a_conflict(api, engineer, session):
    FactFactory(session=session, key="os", value="Windows 11")
    fact = FactFactory(session=session, key="platform", value="Windows")
    response = api.as_user(engineer).patch(facts_url(session, fact), {"key": "os"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "duplicate_fact")


def test_an_empty_fact_edit_is_a_400(api, engineer, session):
    fact = FactFactory(session=session, key="os")
    assert api.as_user(engineer).patch(facts_url(session, fact), {}, format="json").status_code == 400


def test_a_fact_of_another_session_is_not_found_here(api, engineer, session, northwind):
    elsewhere = FactFactory(session=SessionFactory(account=northwind, owner=engineer), key="os")
    assert api.as_user(engineer).get(facts_url(session, elsewhere)).status_code == 404
    assert api.as_user(engineer).delete(facts_url(session, elsewhere)).status_code == 404
    assert Fact.objects.for_account(northwind).filter(pk=elsewhere.pk).exists()


# ---- fixes --------------------------------------------------------------------------------


def test_everyone_reads_the_fixes_in_the_order_they_came(api, viewer, session):
    FixFactory(session=session, title="First", status=FixStatus.FAILED, outcome_note="No change")
    FixFactory(session=session, title="Second")
    rows = api.as_user(viewer).get(fixes_url(session)).json()["results"]
    assert [(row["title"], row["status"], row["outcome_note"]) for row in rows] == [
        ("First", "failed", "No change"), ("Second", "proposed", "")]


def test_the_owner_proposes_a_fix(api, engineer, session):
    response = api.as_user(engineer).post(fixes_url(session), {"title": "Clear cached credentials",
                                                               "steps": "Credential Manager\nRemove MicrosoftOffice*"},
                                          format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["proposed_by"]["id"], body["source"]) == ("proposed", str(engineer.pk), "")


@pytest.mark.parametrize("body", [{}, {"title": ""}, {"title": "t" * 201}, {"title": "ok", "steps": "s" * 10_001}])
def test_a_fix_needs_a_short_title(api, engineer, session, body):
    assert api.as_user(engineer).post(fixes_url(session), body, format="json").status_code == 400
    assert not Fix.objects.for_account(session.account).exists()


def test_a_fix_is_tried_and_marked_failed_with_a_note(api, engineer, session):
    fix = FixFactory(session=session)
    client = api.as_user(engineer)
    assert client.patch(fixes_url(session, fix), {"status": "active"}, format="json").json()["status"] == "active"
    body = client.patch(fixes_url(session, fix), {"status": "failed", "outcome_note": "Same error"},
                        format="json").json()
    assert (body["status"], body["outcome_note"], body["outcome_at"] is not None) == ("failed", "Same error", True)


def test_a_second_active_fix_is_a_conflict_naming_the_first(api, engineer, session):
    tried = FixFactory(session=session, status=FixStatus.ACTIVE, title="Repair Office")
    other = FixFactory(session=session, title="New profile")
    response = api.as_user(engineer).patch(fixes_url(session, other), {"status": "active"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "another_fix_active"
    assert response.json()["active_fix"] == str(tried.pk)
    assert "Repair Office" in response.json()["detail"]
    other.refresh_from_db()
    assert other.status == FixStatus.PROPOSED


def test_a_move_the_table_does_not_allow_is_a_conflict_with_the_current_status(api, engineer, session):
    fix = FixFactory(session=session, status=FixStatus.WORKED)
    response = api.as_user(engineer).patch(fixes_url(session, fix), {"status": "active"}, format="json")
    assert (response.status_code, response.json()["code"], response.json()["status"]) == (
        409, "invalid_transition", "worked")


@pytest.mark.parametrize("body", [{}, {"status": "done"}, {"status": "failed", "outcome_note": "n" * 10_001}])
def test_a_fix_status_change_must_name_a_valid_status(api, engineer, session, body):
    fix = FixFactory(session=session, status=FixStatus.ACTIVE)
    assert api.as_user(engineer).patch(fixes_url(session, fix), body, format="json").status_code == 400
    fix.refresh_from_db()
    assert fix.status == FixStatus.ACTIVE


def test_a_fix_has_no_delete(api, admin_user, session):
    fix = FixFactory(session=session)
    assert api.as_user(admin_user).delete(fixes_url(session, fix)).status_code == 405
