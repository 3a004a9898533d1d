"""The transcript of a session through the API: reading it, posting technician messages
(answered by the assistant in Assistant sessions) and notes."""

import pytest
from django.urls import reverse

from sessions_app.assistant.base import AssistantReply, ProposedFix
from sessions_app.models import Fact, Fix, Message, MessageKind
from tests.sessions_app.factories import FlowSessionFactory, MessageFactory, SessionFactory


def url(session):
    return reverse("session-message-list", args=[session.pk])


def post(api, user, session, body, **extra):
    return api.as_user(user).post(url(session), {"body": body, **extra}, format="json")


@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer, problem="Outlook crashes")


@pytest.fixture
def scripted_assistant(monkeypatch):
    """The assistant's contract (sessions_app/assistant/base.py) with a fixed answer."""
    reply = AssistantReply(body="Is it every profile? Try a new one.", facts=[("os", "Windows 11")],
                           fixes=[ProposedFix(title="Create a new Outlook profile", steps="Control Panel > Mail",
                                              source="Flow: Outlook will not start")])
    monkeypatch.setattr("sessions_app.assistant.respond", lambda context: reply)
    return reply


def test_everyone_reads_the_transcript_oldest_first(api, viewer, session):
    first = MessageFactory(session=session, body="First")
    MessageFactory(session=session, body="Second", kind=MessageKind.ASSISTANT, author=None)
    body = api.as_user(viewer).get(url(session)).json()
    assert [(row["body"], row["kind"]) for row in body["results"]] == [("First", "tech"), ("Second", "assistant")]
    assert body["results"][0]["author"]["id"] == str(first.author_id)
    assert body["results"][1]["author"] is None


def test_a_technician_message_comes_back_with_the_reply_and_what_it_added(api, engineer, session,
                                                                          scripted_assistant):
    response = post(api, engineer, session, "Outlook 2016 crashes on start", kind="tech")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"message", "reply", "notice", "facts", "fixes"}
    assert (body["message"]["kind"], body["message"]["body"]) == ("tech", "Outlook 2016 crashes on start")
    assert body["message"]["author"]["id"] == str(engineer.pk)
    assert (body["reply"]["kind"], body["reply"]["body"], body["reply"]["author"]) == (
        "assistant", "Is it every profile? Try a new one.", None)
    assert body["notice"] is None
    assert [(f["key"], f["value"], f["source"]) for f in body["facts"]] == [("os", "Windows 11", "extracted")]
    assert [(f["title"], f["status"], f["source"], f["proposed_by"]) for f in body["fixes"]] == [
        ("Create a new Outlook profile", "proposed", "Flow: Outlook will not start", None)]


def test_kind_defaults_to_a_technician_message(api, engineer, session, scripted_assistant):
    assert post(api, engineer, session, "Still crashing").json()["reply"] is not None


def test_the_built_in_assistant_answers_with_no_configuration(api, engineer, session):
    response = post(api, engineer, session, "Outlook crashes with 0x80070005 on Windows 11, host PC-FRONT01")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reply"]["kind"] == "assistant" and body["reply"]["body"].strip()
    assert body["notice"] is None
    facts = {fact["key"]: fact["value"] for fact in body["facts"]}
    assert facts["error_code"] == "0x80070005"
    assert facts["os"] == "Windows 11"
    stored = Fact.objects.for_account(session.account).filter(session=session)
    assert {fact.key for fact in stored} >= {"error_code", "os"}


def test_a_failing_configured_assistant_leaves_a_notice_and_the_built_in_one_answers(api, engineer, session,
                                                                                     settings):
    settings.ASSISTANT_PROVIDER = "openai"
    settings.ASSISTANT_OPENAI_BASE_URL = "http://127.0.0.1:9/v1"  # the discard port: nothing listens
    settings.ASSISTANT_OPENAI_MODEL = "local-model"
    settings.ASSISTANT_OPENAI_TIMEOUT = 2
    body = post(api, engineer, session, "VPN drops every hour on Windows 10").json()
    assert body["notice"]["kind"] == "system" and body["notice"]["body"]
    assert body["reply"]["kind"] == "assistant"


def test_a_note_is_recorded_and_not_answered(api, engineer, session, monkeypatch):
    monkeypatch.setattr("sessions_app.assistant.respond", lambda context: pytest.fail("a note was answered"))
    body = post(api, engineer, session, "Called the user back", kind="note").json()
    assert (body["message"]["kind"], body["reply"], body["facts"], body["fixes"]) == ("note", None, [], [])


def test_a_flow_session_message_gets_no_reply(api, engineer, northwind, monkeypatch):
    monkeypatch.setattr("sessions_app.assistant.respond", lambda context: pytest.fail("a flow session was answered"))
    walk = FlowSessionFactory(account=northwind, owner=engineer)
    response = post(api, engineer, walk, "The printer shows offline on two PCs")
    assert response.status_code == 201
    assert response.json()["reply"] is None


@pytest.mark.parametrize(("body", "field", "code"), [
    ({"body": ""}, "body", "blank"),
    ({}, "body", "required"),
    ({"body": "x" * 10_001}, "body", "max_length"),
    ({"body": "Hi", "kind": "assistant"}, "kind", "invalid_choice"),
    ({"body": "Hi", "kind": "system"}, "kind", "invalid_choice"),
])
def test_what_cannot_be_posted(api, engineer, session, body, field, code):
    response = api.as_user(engineer).post(url(session), body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][field][0]["code"] == code
    assert not Message.objects.for_account(session.account).filter(session=session).exists()


def test_a_blank_message_is_refused_by_the_service_too(api, engineer, session):
    response = post(api, engineer, session, "   ")
    assert response.status_code == 400


def test_malformed_json_posts_nothing(api, engineer, session):
    response = api.as_user(engineer).post(url(session), '{"body": "Hi"', content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "parse_error")
    assert not Message.objects.for_account(session.account).filter(session=session).exists()


def test_an_unknown_session_is_not_found(api, engineer):
    response = api.as_user(engineer).get("/api/v1/sessions/0b8f5e0e-8a39-4a47-9d6b-1f4c1c7f9a00/messages/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_nothing_of_a_refused_post_is_kept(api, senior, session, scripted_assistant):
    response = post(api, senior, session, "Let me try", kind="tech")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert not Message.objects.for_account(session.account).filter(session=session).exists()
    assert not Fix.objects.for_account(session.account).exists()
