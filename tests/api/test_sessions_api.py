"""Sessions through the API: Session History filters, starting, reading, editing, the
ticket-note preview, FlowPilot answers and resolving."""

import datetime as dt

import pytest
from django.urls import reverse

from sessions_app.models import Message, MessageKind, SessionStatus, TroubleshootingSession
from tests.factories import UserFactory
from tests.sessions_app.factories import FactFactory, FixFactory, FlowFactory, FlowSessionFactory, SessionFactory


def history(api, user, **params):
    response = api.as_user(user).get(reverse("session-list"), params)
    assert response.status_code == 200, response.content
    return response.json()


def titles(body):
    return sorted(row["title"] for row in body["results"])


def start(api, user, **body):
    return api.as_user(user).post(reverse("session-list"), body, format="json")


def detail_url(session, name="session-detail"):
    return reverse(name, args=[session.pk])


# ---- Session History ----------------------------------------------------------------------


@pytest.fixture
def desk(northwind, engineer, senior):
    """A small history: Jamie's two sessions and Sam's flow session, resolved."""
    printer = FlowFactory(account=northwind, name="Printer offline")
    return {
        "vpn": SessionFactory(account=northwind, owner=engineer, title="VPN drops hourly",
                              client_name="Fabrikam Dental",
                              problem="GlobalProtect disconnects", ticket_ref="T-100"),
        "outlook": SessionFactory(account=northwind, owner=engineer, title="Outlook will not start",
                                  client_name="Contoso Bakery", problem="Stuck on Loading profile"),
        "printer": FlowSessionFactory(account=northwind, owner=senior, flow=printer, title="Front desk printer",
                                      client_name="Fabrikam Dental", problem="Shows offline to everyone",
                                      status=SessionStatus.RESOLVED,
                                      resolved_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
                                      resolution="Restarted the spooler service"),
    }


def test_everyone_in_the_account_reads_the_history(api, viewer, desk):
    body = history(api, viewer)
    assert body["count"] == 3
    assert titles(body) == ["Front desk printer", "Outlook will not start", "VPN drops hourly"]


def test_a_history_row_says_who_owns_it_and_whether_the_caller_may_work_in_it(api, engineer, desk):
    rows = {row["title"]: row for row in history(api, engineer)["results"]}
    assert rows["VPN drops hourly"]["owner"]["email"] == "jamie@northwind.test"
    assert rows["VPN drops hourly"]["can_write"] is True
    assert rows["Front desk printer"]["can_write"] is False
    assert rows["Front desk printer"]["flow"]["name"] == "Printer offline"
    assert rows["VPN drops hourly"]["flow"] is None


@pytest.mark.parametrize(("params", "expected"), [
    ({"mode": "flow"}, ["Front desk printer"]),
    ({"mode": "assistant"}, ["Outlook will not start", "VPN drops hourly"]),
    ({"status": "resolved"}, ["Front desk printer"]),
    ({"status": "active"}, ["Outlook will not start", "VPN drops hourly"]),
    ({"owner": "me"}, ["Outlook will not start", "VPN drops hourly"]),
    ({"client": "fabrikam"}, ["Front desk printer", "VPN drops hourly"]),
    ({"q": "spooler"}, ["Front desk printer"]),
    ({"q": "t-100"}, ["VPN drops hourly"]),
    ({"q": "loading profile"}, ["Outlook will not start"]),
    # Every word, in any order and in any searched field (resolutionflow.search.every_word).
    ({"q": "profile outlook"}, ["Outlook will not start"]),
    ({"q": "fabrikam globalprotect"}, ["VPN drops hourly"]),
    ({"q": "spooler printer"}, ["Front desk printer"]),
    ({"q": "outlook spooler"}, []),
    ({"client": "fabrikam", "mode": "assistant"}, ["VPN drops hourly"]),
    ({"q": "nothing like this"}, []),
])
def test_history_filters(api, engineer, desk, params, expected):
    assert titles(history(api, engineer, **params)) == expected


def test_history_filters_by_a_colleagues_id(api, engineer, senior, desk):
    assert titles(history(api, engineer, owner=str(senior.pk))) == ["Front desk printer"]


def test_history_filters_by_when_a_session_was_created(api, engineer, northwind):
    for day in (1, 2, 3):
        SessionFactory(account=northwind, owner=engineer, title=f"Jan {day}",
                       created_at=dt.datetime(2026, 1, day, 12, tzinfo=dt.UTC))
    assert titles(history(api, engineer, created_after="2026-01-02")) == ["Jan 2", "Jan 3"]
    assert titles(history(api, engineer, created_before="2026-01-02")) == ["Jan 1"]
    assert titles(history(api, engineer, created_after="2026-01-01T13:00:00Z",
                          created_before="2026-01-03T00:00:00Z")) == ["Jan 2"]


def test_a_date_filter_is_read_in_the_accounts_time_zone(api, engineer, northwind):
    northwind.time_zone = "Pacific/Auckland"  # UTC+13 in January
    northwind.save()
    SessionFactory(account=northwind, owner=engineer, title="Late on Jan 1 UTC",
                   created_at=dt.datetime(2026, 1, 1, 12, 30, tzinfo=dt.UTC))  # Jan 2, 01:30 in Auckland
    assert titles(history(api, engineer, created_after="2026-01-02")) == ["Late on Jan 1 UTC"]


@pytest.mark.parametrize(("params", "field"), [
    ({"mode": "chat"}, "mode"), ({"status": "done"}, "status"), ({"owner": "someone"}, "owner"),
    ({"created_after": "yesterday"}, "created_after"),
])
def test_a_bad_filter_value_is_a_400_naming_the_parameter(api, engineer, params, field):
    response = api.as_user(engineer).get(reverse("session-list"), params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_the_history_is_paginated(api, engineer, northwind):
    for _ in range(3):
        SessionFactory(account=northwind, owner=engineer)
    body = history(api, engineer, page_size=2)
    assert (body["count"], len(body["results"]), body["next"] is not None) == (3, 2, True)


# ---- starting a session -------------------------------------------------------------------


def test_an_engineer_starts_an_assistant_session(api, engineer):
    response = start(api, engineer, mode="assistant", problem="Outlook hangs on Loading profile",
                     client_name="Fabrikam Dental", ticket_ref="T-4711")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["title"], body["status"], body["mode"], body["ticket_ref"]) == (
        "Outlook hangs on Loading profile", "active", "assistant", "T-4711")
    assert (body["owner"]["id"], body["can_write"], body["messages_count"]) == (str(engineer.pk), True, 2)
    assert (body["current_step"], body["path"], body["flow"]) == (None, [], None)
    assert body["opening"]["message"]["body"] == "Outlook hangs on Loading profile"
    assert body["opening"]["reply"]["kind"] == "assistant" and body["opening"]["reply"]["body"]


def test_an_engineer_starts_a_flowpilot_session_on_the_first_step(api, engineer, northwind):
    flow = FlowFactory(account=None, name="Printer offline", version=2)
    response = start(api, engineer, mode="flow", flow=str(flow.pk), client_name="Fabrikam")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Printer offline"
    assert body["flow"] == {"id": str(flow.pk), "slug": flow.slug, "name": "Printer offline", "version": 2}
    assert body["current_step"] == {
        "id": "restart", "type": "question", "text": "Did a restart fix it?", "detail": "", "escalate": False,
        "options": [{"label": "Yes", "next": "res-fixed"}, {"label": "No", "next": "res-escalate"}]}


def test_a_flowpilot_session_needs_a_flow(api, engineer):
    response = start(api, engineer, mode="flow", title="Printer")
    assert response.status_code == 400
    assert response.json()["code"] == "flow_required"


def test_an_unknown_or_switched_off_flow_is_refused(api, engineer, northwind):
    off = FlowFactory(account=northwind, is_active=False)
    for flow_id in ("0b8f5e0e-8a39-4a47-9d6b-1f4c1c7f9a00", str(off.pk), "not-an-id"):
        response = start(api, engineer, mode="flow", flow=flow_id)
        assert response.status_code == 400
        assert "flow" in response.json()["errors"]


def test_an_assistant_session_needs_a_problem_or_title(api, engineer):
    response = start(api, engineer, mode="assistant")
    assert (response.status_code, response.json()["code"]) == (400, "problem_required")


@pytest.mark.parametrize(("field", "size"), [("title", 201), ("client_name", 201), ("ticket_ref", 65),
                                             ("problem", 10_001)])
def test_oversized_fields_are_refused(api, engineer, field, size):
    response = start(api, engineer, **{"mode": "assistant", "problem": "Printer offline", field: "x" * size})
    assert response.status_code == 400
    assert response.json()["errors"][field][0]["code"] == "max_length"
    assert not TroubleshootingSession.unscoped.exists()


def test_an_unknown_mode_is_refused(api, engineer):
    response = start(api, engineer, mode="chat", title="Printer")
    assert response.status_code == 400
    assert response.json()["errors"]["mode"][0]["code"] == "invalid_choice"


def test_malformed_json_is_a_400(api, engineer):
    response = api.as_user(engineer).post(reverse("session-list"), '{"mode": "assistant", ',
                                          content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "parse_error")


def test_an_owner_account_or_status_in_the_body_is_refused_and_nothing_is_started(api, engineer, senior, outsider):
    # The owner and account come from the caller, the status from the service: a body naming
    # them is a client's mistake, answered field by field (resolutionflow.api.serializers).
    response = start(api, engineer, mode="assistant", title="Printer", owner=str(senior.pk), account=str(outsider.pk),
                     status="resolved")
    assert response.status_code == 400
    assert {name: errors[0]["code"] for name, errors in response.json()["errors"].items()} == {
        "owner": "unknown_field", "account": "unknown_field", "status": "unknown_field"}
    assert not TroubleshootingSession.unscoped.filter(title="Printer").exists()


@pytest.mark.parametrize("body", [{"ticket": "T-1"}, {"title": "Printer", "clientname": "Acme"}])
def test_a_misspelt_field_is_a_400_naming_it_not_silently_dropped(api, engineer, body):
    response = start(api, engineer, mode="assistant", problem="Printer offline", **body)
    assert response.status_code == 400
    (name,) = set(body) - {"title"}
    assert response.json()["errors"][name][0]["code"] == "unknown_field"
    assert not TroubleshootingSession.unscoped.exists()


# ---- reading and editing ------------------------------------------------------------------


def test_a_session_shows_its_counts_and_the_callers_rights(api, viewer, engineer, northwind):
    session = SessionFactory(account=northwind, owner=engineer)
    FactFactory(session=session)
    FixFactory(session=session)
    FixFactory(session=session, title="Another")
    body = api.as_user(viewer).get(detail_url(session)).json()
    assert (body["messages_count"], body["facts_count"], body["fixes_count"]) == (0, 1, 2)
    assert body["can_write"] is False
    assert api.as_user(engineer).get(detail_url(session)).json()["can_write"] is True


def test_the_owner_edits_the_details(api, engineer, northwind):
    session = SessionFactory(account=northwind, owner=engineer)
    response = api.as_user(engineer).patch(detail_url(session), {"title": "VPN drops", "ticket_ref": "T-9"},
                                           format="json")
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["ticket_ref"]) == ("VPN drops", "T-9")


@pytest.mark.parametrize("body", [{}, {"title": ""}, {"title": "x" * 201}, {"ticket_ref": "x" * 65}])
def test_an_edit_must_say_something_valid(api, engineer, northwind, body):
    session = SessionFactory(account=northwind, owner=engineer, title="Before")
    response = api.as_user(engineer).patch(detail_url(session), body, format="json")
    assert response.status_code == 400
    session.refresh_from_db()
    assert session.title == "Before"


def test_fields_outside_the_details_are_refused_and_nothing_changes(api, engineer, northwind):
    session = SessionFactory(account=northwind, owner=engineer, title="Old")
    response = api.as_user(engineer).patch(detail_url(session), {"title": "New", "status": "resolved", "mode": "flow"},
                                           format="json")
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["mode", "status"]
    session.refresh_from_db()
    assert (session.title, session.status, session.mode) == ("Old", "active", "assistant")


def test_a_session_has_no_put_and_no_delete(api, admin_user, northwind, engineer):
    session = SessionFactory(account=northwind, owner=engineer)
    assert api.as_user(admin_user).put(detail_url(session), {"title": "x"}, format="json").status_code == 405
    assert api.as_user(admin_user).delete(detail_url(session)).status_code == 405


def test_an_id_that_is_not_a_uuid_is_not_found(api, engineer):
    assert api.as_user(engineer).get("/api/v1/sessions/12/").status_code == 404


# ---- preview ------------------------------------------------------------------------------


def test_the_preview_is_the_ticket_note_as_text_and_markdown(api, viewer, engineer, northwind):
    session = SessionFactory(account=northwind, owner=engineer, title="Outlook will not start", ticket_ref="T-1")
    FactFactory(session=session, key="os", value="Windows 11")
    body = api.as_user(viewer).get(detail_url(session, "session-preview")).json()
    assert set(body) == {"text", "markdown"}
    assert body["text"].startswith("Outlook will not start\nTicket T-1\n")
    assert "- os: Windows 11" in body["text"]
    assert body["markdown"].startswith("**Outlook will not start**")


# ---- FlowPilot ----------------------------------------------------------------------------


@pytest.fixture
def walk(northwind, engineer):
    return FlowSessionFactory(account=northwind, owner=engineer, flow=FlowFactory(account=northwind))


def answer(api, user, session, step, option):
    return api.as_user(user).post(detail_url(session, "session-flow-answer"), {"step": step, "option": option},
                                  format="json")


def test_answering_the_current_step_moves_the_walk_on(api, engineer, walk):
    response = answer(api, engineer, walk, "restart", "No")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["current_step"]["id"] == "res-escalate"
    assert body["current_step"]["escalate"] is True
    assert [(item["step"], item["text"], item["option"]) for item in body["path"]] == [
        ("restart", "Did a restart fix it?", "No")]
    assert body["messages_count"] == 1  # the answer is written into the transcript


def test_answering_a_stale_step_is_a_conflict_naming_the_current_one(api, engineer, walk):
    answer(api, engineer, walk, "restart", "No")
    response = answer(api, engineer, walk, "restart", "Yes")
    assert response.status_code == 409
    assert response.json() == {"detail": response.json()["detail"], "code": "not_current_step",
                               "current_step": "res-escalate"}


def test_answering_with_an_option_the_step_lacks_is_a_400(api, engineer, walk):
    response = answer(api, engineer, walk, "restart", "Maybe")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_option")


def test_an_answer_needs_a_step_and_an_option(api, engineer, walk):
    response = api.as_user(engineer).post(detail_url(walk, "session-flow-answer"), {"step": "restart"}, format="json")
    assert response.status_code == 400
    assert "option" in response.json()["errors"]


def test_stepping_back_returns_to_the_answered_step(api, engineer, walk):
    answer(api, engineer, walk, "restart", "No")
    response = api.as_user(engineer).post(detail_url(walk, "session-flow-back"))
    assert response.status_code == 200
    assert (response.json()["current_step"]["id"], response.json()["path"]) == ("restart", [])
    again = api.as_user(engineer).post(detail_url(walk, "session-flow-back"))
    assert (again.status_code, again.json()["code"]) == (409, "at_start")


def test_an_assistant_session_has_no_flow_to_answer(api, engineer, northwind):
    session = SessionFactory(account=northwind, owner=engineer)
    response = answer(api, engineer, session, "restart", "Yes")
    assert (response.status_code, response.json()["code"]) == (409, "not_a_flow_session")


def test_a_running_walk_keeps_its_graph_when_the_flow_changes(api, engineer, admin_user, walk):
    api.as_user(admin_user).patch(reverse("flow-detail", args=[walk.flow.pk]), {"graph": {
        "start": "only", "steps": {"only": {"type": "resolution", "text": "Replaced"}}}}, format="json")
    body = api.as_user(engineer).get(detail_url(walk)).json()
    assert (body["current_step"]["text"], body["flow"]["version"]) == ("Did a restart fix it?", 1)


# ---- resolving ----------------------------------------------------------------------------


def test_resolving_closes_the_session_and_records_the_resolution(api, engineer, walk):
    answer(api, engineer, walk, "restart", "Yes")
    response = api.as_user(engineer).post(detail_url(walk, "session-resolve"), {"resolution": "A restart did it"},
                                          format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["resolution"], body["resolved_at"] is not None) == ("resolved", "A restart did it",
                                                                                       True)
    assert body["can_write"] is True  # still the owner's, though it takes no more work


@pytest.mark.parametrize("body", [{}, {"resolution": ""}, {"resolution": "x" * 10_001}])
def test_resolving_needs_a_resolution_note(api, engineer, walk, body):
    response = api.as_user(engineer).post(detail_url(walk, "session-resolve"), body, format="json")
    assert response.status_code == 400
    walk.refresh_from_db()
    assert walk.status == "active"


def test_a_resolved_session_refuses_further_work(api, engineer, northwind):
    session = SessionFactory(account=northwind, owner=engineer)
    fact, fix = FactFactory(session=session, key="os"), FixFactory(session=session)
    api.as_user(engineer).post(detail_url(session, "session-resolve"), {"resolution": "Rebooted"}, format="json")
    client = api.as_user(engineer)
    attempts = [
        client.post(detail_url(session, "session-resolve"), {"resolution": "Again"}, format="json"),
        client.post(reverse("session-message-list", args=[session.pk]), {"body": "Hi", "kind": "note"}, format="json"),
        client.post(reverse("session-fact-list", args=[session.pk]), {"key": "ip", "value": "10.0.0.1"}, format="json"),
        client.patch(reverse("session-fact-detail", args=[session.pk, fact.pk]), {"value": "x"}, format="json"),
        client.delete(reverse("session-fact-detail", args=[session.pk, fact.pk])),
        client.post(reverse("session-fix-list", args=[session.pk]), {"title": "Another idea"}, format="json"),
        client.patch(reverse("session-fix-detail", args=[session.pk, fix.pk]), {"status": "active"}, format="json"),
    ]
    for response in attempts:
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "session_closed"
        assert response.json()["status"] == "resolved"
    assert list(Message.objects.for_account(northwind).filter(session=session).values_list("kind", flat=True)) == [
        MessageKind.SYSTEM]


def test_a_resolved_flow_session_cannot_be_walked(api, engineer, walk):
    api.as_user(engineer).post(detail_url(walk, "session-resolve"), {"resolution": "Rebooted"}, format="json")
    assert answer(api, engineer, walk, "restart", "Yes").json()["code"] == "session_closed"
    assert api.as_user(engineer).post(detail_url(walk, "session-flow-back")).json()["code"] == "session_closed"


def test_a_deactivated_owner_cannot_write(api, northwind):
    owner = UserFactory(account=northwind, is_active=False)
    session = SessionFactory(account=northwind, owner=owner)
    response = api.as_user(owner).patch(detail_url(session), {"title": "x"}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["q", "client"])
def test_a_search_longer_than_the_limit_is_a_400(api, engineer, desk, name):
    response = api.as_user(engineer).get(reverse("session-list"), {name: "x" * 201})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_filter"
