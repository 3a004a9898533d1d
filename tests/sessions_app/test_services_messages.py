"""The transcript: technician messages (answered in Assistant sessions), notes, and what the
assistant's reply adds. The assistant is replaced here by a fake that keeps its contract
(sessions_app/assistant/base.py); the built-in one has its own tests."""

from contextlib import contextmanager

import pytest

from accounts.errors import ServiceError
from resolutionflow.errors import http_status
from sessions_app.assistant.base import AssistantReply, ConversationContext, ProposedFix
from sessions_app.models import Fact, FactSource, Fix, FixStatus, Message, MessageKind
from sessions_app.services import message_post, session_resolve
from sessions_app.services.messages import MESSAGE_MAX

from .factories import FactFactory, FixFactory, FlowSessionFactory, MessageFactory, SessionFactory


@contextmanager
def refused(code, status=None):
    with pytest.raises(ServiceError) as info:
        yield info
    assert info.value.code == code, info.value.detail
    assert status is None or http_status(info.value) == status


class FakeAssistant:
    """Answers every message with ``reply`` and remembers what it was asked."""

    def __init__(self, reply: AssistantReply):
        self.reply = reply
        self.asked: list[ConversationContext] = []

    def __call__(self, context: ConversationContext) -> AssistantReply:
        self.asked.append(context)
        return self.reply


@pytest.fixture
def assistant(monkeypatch):
    fake = FakeAssistant(AssistantReply(
        body="Which Windows build is it? Meanwhile try disabling COM add-ins.",
        facts=[("os", "Windows 11"), ("error_code", "0x80070005")],
        fixes=[ProposedFix(title="Disable COM add-ins", steps="outlook.exe /safe", source="Flow: Outlook")],
    ))
    monkeypatch.setattr("sessions_app.assistant.respond", fake, raising=False)
    return fake


@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer, problem="Outlook hangs")


def transcript(session):
    return list(Message.objects.for_account(session.account).filter(session=session).values_list("kind", "body"))


def test_a_technician_message_is_answered_with_facts_and_a_proposed_fix(session, engineer, assistant):
    posted = message_post(session=session, actor=engineer, body="  Outlook.exe crashes with 0x80070005 on Win 11  ")
    assert (posted.message.kind, posted.message.body, posted.message.author) == (
        MessageKind.TECH, "Outlook.exe crashes with 0x80070005 on Win 11", engineer)
    assert (posted.reply.kind, posted.reply.author) == (MessageKind.ASSISTANT, None)
    assert posted.notice is None
    assert {(f.key, f.value, f.source) for f in posted.facts} == {
        ("os", "Windows 11", FactSource.EXTRACTED), ("error_code", "0x80070005", FactSource.EXTRACTED)}
    assert [(f.title, f.status, f.source, f.proposed_by) for f in posted.fixes] == [
        ("Disable COM add-ins", FixStatus.PROPOSED, "Flow: Outlook", None)]
    assert transcript(session)[-2:] == [
        (MessageKind.TECH, "Outlook.exe crashes with 0x80070005 on Win 11"),
        (MessageKind.ASSISTANT, "Which Windows build is it? Meanwhile try disabling COM add-ins."),
    ]


def test_the_assistant_is_given_the_session_so_far(session, engineer, assistant):
    MessageFactory(session=session, body="It started after the update")
    FactFactory(session=session, key="client_app", value="Outlook 365")
    FixFactory(session=session, title="Repair Office", status=FixStatus.FAILED, outcome_note="No change")
    message_post(session=session, actor=engineer, body="Any idea?")
    context = assistant.asked[0]
    assert context.message == "Any idea?"
    assert (MessageKind.TECH, "It started after the update") in context.transcript
    assert ("tech", "Any idea?") not in context.transcript
    assert context.facts == {"client_app": "Outlook 365"}
    assert [(f.title, f.status, f.outcome_note) for f in context.fixes] == [("Repair Office", "failed", "No change")]
    assert (context.session_id, context.account_id, context.mode) == (session.pk, session.account_id, "assistant")


def test_known_facts_and_fixes_already_listed_are_not_added_again(session, engineer, assistant):
    FactFactory(session=session, key="os", value="Windows 11")
    FixFactory(session=session, title="disable com add-ins", status=FixStatus.FAILED)
    posted = message_post(session=session, actor=engineer, body="Still broken")
    assert [(f.key, f.value) for f in posted.facts] == [("error_code", "0x80070005")]
    assert posted.fixes == []
    assert Fix.objects.for_account(session.account).filter(session=session).count() == 1


def test_an_unusable_fact_from_the_assistant_is_logged_and_skipped(session, engineer, assistant, caplog):
    assistant.reply = AssistantReply(body="Noted.", facts=[("", "nameless"), ("os", "Windows 11")],
                                     fixes=[ProposedFix(title="   ")])
    posted = message_post(session=session, actor=engineer, body="Windows 11 machine")
    assert [f.key for f in posted.facts] == ["os"]
    assert posted.fixes == []
    assert "unusable fact" in caplog.text and "unusable fix" in caplog.text


def test_a_failed_provider_leaves_a_visible_notice_before_the_fallback_reply(session, engineer, assistant):
    assistant.reply = AssistantReply(body="Built-in answer.", provider="builtin",
                                     notice="The configured assistant timed out; the built-in assistant answered.")
    posted = message_post(session=session, actor=engineer, body="VPN drops every hour")
    assert posted.notice.kind == MessageKind.SYSTEM
    assert transcript(session)[-2:] == [
        (MessageKind.SYSTEM, "The configured assistant timed out; the built-in assistant answered."),
        (MessageKind.ASSISTANT, "Built-in answer."),
    ]


def test_a_note_is_recorded_without_asking_the_assistant(session, engineer, assistant):
    posted = message_post(session=session, actor=engineer, body="Called the user back", kind=MessageKind.NOTE)
    assert (posted.message.kind, posted.reply, posted.facts, posted.fixes) == (MessageKind.NOTE, None, [], [])
    assert assistant.asked == []


def test_a_flow_session_message_gets_no_assistant_reply(northwind, engineer, assistant):
    session = FlowSessionFactory(account=northwind, owner=engineer)
    posted = message_post(session=session, actor=engineer, body="The user says it is still offline")
    assert posted.reply is None
    assert assistant.asked == []


@pytest.mark.parametrize(("body", "kind", "code"), [
    ("   ", MessageKind.TECH, "empty_message"),
    ("x" * (MESSAGE_MAX + 1), MessageKind.TECH, "message_too_long"),
    ("Hello", MessageKind.ASSISTANT, "invalid_kind"),
    ("Hello", MessageKind.SYSTEM, "invalid_kind"),
])
def test_what_cannot_be_posted(session, engineer, assistant, body, kind, code):
    before = transcript(session)
    with refused(code, 400):
        message_post(session=session, actor=engineer, body=body, kind=kind)
    assert transcript(session) == before


def test_viewers_and_colleagues_cannot_post_even_notes(session, viewer, senior, assistant):
    for person in (viewer, senior):
        with refused("permission_denied", 403):
            message_post(session=session, actor=person, body="FYI", kind=MessageKind.NOTE)
    assert assistant.asked == []


def test_an_admin_may_add_a_note_to_anyones_session(session, admin_user, assistant):
    posted = message_post(session=session, actor=admin_user, body="Customer is a VIP", kind=MessageKind.NOTE)
    assert posted.message.author == admin_user


def test_a_resolved_session_takes_no_more_messages(session, engineer, assistant):
    session_resolve(session=session, actor=engineer, resolution="Done")
    with refused("session_closed", 409):
        message_post(session=session, actor=engineer, body="One more thing", kind=MessageKind.NOTE)


def test_posting_moves_the_session_to_the_top_of_recent_lists(session, engineer, assistant):
    before = session.updated_at
    message_post(session=session, actor=engineer, body="Noted", kind=MessageKind.NOTE)
    session.refresh_from_db()
    assert session.updated_at > before
    assert Fact.objects.for_account(session.account).count() == 0
