"""The Assistant session page: the transcript, the composer (htmx: one answer updates every
panel out of band), read-only views and Resolve. The assistant is a fake keeping the
contract of sessions_app/assistant/base.py, except where the built-in one is named."""

import html
import re

import pytest

from sessions_app.assistant.base import AssistantReply, ProposedFix
from sessions_app.models import Fact, Fix, Message, MessageKind, SessionStatus, TroubleshootingSession

from .factories import FactFactory, FixFactory, MessageFactory, SessionFactory

HTMX = {"HX-Request": "true"}


class FakeAssistant:
    def __init__(self, reply):
        self.reply = reply
        self.calls = 0

    def __call__(self, context):
        self.calls += 1
        return self.reply


@pytest.fixture
def assistant(monkeypatch):
    fake = FakeAssistant(AssistantReply(
        body="Which Office build is it? Meanwhile start Outlook in safe mode.",
        facts=[("product", "Outlook"), ("error_code", "0x80070005")],
        fixes=[ProposedFix(title="Start Outlook in safe mode", steps="Win+R\noutlook.exe /safe",
                           source="Flow: Outlook will not start")],
    ))
    monkeypatch.setattr("sessions_app.assistant.respond", fake, raising=False)
    return fake


@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer, title="Outlook hangs at Fabrikam",
                          client_name="Fabrikam Dental", ticket_ref="T-4411")


@pytest.fixture
def as_owner(client, engineer):
    client.force_login(engineer)
    return client


def kinds(session):
    return list(Message.objects.for_account(session.account).filter(session=session)
                .order_by("created_at").values_list("kind", flat=True))


def oob_ids(body):
    return set(re.findall(r' id="([\w-]+)"[^>]*hx-swap-oob="true"', body))


def test_the_page_shows_the_transcript_panels_and_controls_to_the_owner(as_owner, session):
    MessageFactory(session=session, body="Outlook hangs on Loading profile")
    MessageFactory(session=session, kind=MessageKind.ASSISTANT, author=None, body="Try safe mode first.")
    FactFactory(session=session, key="os_version", value="Windows 11 23H2")
    FixFactory(session=session, title="Disable COM add-ins")

    page = as_owner.get(f"/sessions/{session.pk}/").text

    assert f'data-session-id="{session.pk}"' in page
    assert "Outlook hangs on Loading profile" in page and "Try safe mode first." in page
    assert "OS version" in page and "Windows 11 23H2" in page
    assert "Disable COM add-ins" in page
    assert 'data-testid="preview-text"' in page and "Ticket T-4411" in page
    for testid in ("composer-input", "composer-send", "composer-working", "fact-add-key", "fix-propose-title",
                   "resolve-note", "preview-copy"):
        assert f'data-testid="{testid}"' in page, testid
    assert 'data-testid="read-only-notice"' not in page


def test_every_answer_about_a_session_names_it_in_a_header(as_owner, session):
    response = as_owner.get(f"/sessions/{session.pk}/")

    assert response["X-Session-Id"] == str(session.pk)


def test_posting_a_message_stores_it_and_the_assistants_reply_then_redirects_without_htmx(
    as_owner, session, assistant
):
    response = as_owner.post(f"/sessions/{session.pk}/messages/", {"body": "Event 1000 when Outlook opens"})

    assert response.status_code == 302
    assert response.url == f"/sessions/{session.pk}/#composer"
    assert kinds(session) == [MessageKind.TECH, MessageKind.ASSISTANT]
    assert assistant.calls == 1
    page = as_owner.get(response.url).text
    assert "Event 1000 when Outlook opens" in page
    assert "Which Office build is it?" in page


def test_an_htmx_message_answers_with_the_transcript_and_the_panels_out_of_band(as_owner, session, assistant):
    response = as_owner.post(f"/sessions/{session.pk}/messages/", {"body": "0x80070005 in Outlook"}, headers=HTMX)

    assert response.status_code == 200
    body = response.text
    assert "<html" not in body
    assert response["X-Session-Id"] == str(session.pk)
    assert {"transcript", "facts-list", "fixes-list", "preview-body", "session-meta", "messages"} <= oob_ids(body)
    assert body.count(f'data-session-id="{session.pk}"') >= 3  # the transcript and each of its lines
    assert "0x80070005 in Outlook" in body
    assert "Which Office build is it?" in body
    assert "Start Outlook in safe mode" in body  # the proposed fix, in the fixes panel
    assert "0x80070005" in body.split('<div id="facts-list"')[1]  # the extracted fact, in the facts panel
    assert 'data-testid="resolve-note"' not in body  # forms outside the changed regions are left alone
    assert set(Fact.objects.for_account(session.account).filter(session=session)
               .values_list("key", flat=True)) == {"product", "error_code"}
    assert Fix.objects.for_account(session.account).get(session=session).status == "proposed"


def test_the_built_in_assistant_answers_a_real_message_on_the_page(as_owner, session):
    response = as_owner.post(f"/sessions/{session.pk}/messages/",
                             {"body": "Outlook 2021 on Windows 11 crashes with 0x80070005 on PC-FAB-07"}, headers=HTMX)

    assert response.status_code == 200
    assert kinds(session) == [MessageKind.TECH, MessageKind.ASSISTANT]
    reply = Message.objects.for_account(session.account).get(session=session, kind=MessageKind.ASSISTANT)
    assert reply.body.strip()
    assert "0x80070005" in Fact.objects.for_account(session.account).filter(session=session).values_list(
        "value", flat=True)
    assert 'data-testid="message-assistant"' in response.text


def test_a_note_from_the_composer_gets_no_reply(as_owner, session, assistant):
    response = as_owner.post(f"/sessions/{session.pk}/messages/", {"body": "Called the user back", "kind": "note"},
                             headers=HTMX)

    assert response.status_code == 200
    assert kinds(session) == [MessageKind.NOTE]
    assert assistant.calls == 0
    assert "transcript" in oob_ids(response.text)


def test_an_empty_message_is_refused_in_the_composer_and_nothing_is_stored(as_owner, session, assistant):
    response = as_owner.post(f"/sessions/{session.pk}/messages/", {"body": "   "}, headers=HTMX)

    assert response.status_code == 400
    assert response["HX-Retarget"] == "#composer-error"
    assert response["HX-Reswap"] == "innerHTML"
    assert "Write something first." in response.text
    assert kinds(session) == []


def test_without_javascript_a_refusal_re_renders_the_page_with_the_reason_and_its_status(as_owner, session):
    response = as_owner.post(f"/sessions/{session.pk}/messages/", {"body": "x" * 10_001})

    assert response.status_code == 400
    assert 'data-testid="composer-input"' in response.text  # the whole page
    assert "Message: it holds at most 10000 characters and this one has 10001." in response.text


def test_a_message_too_long_is_refused_with_its_length_and_the_text_stays_in_the_composer(as_owner, session):
    # The composer had maxlength="10000": a pasted 35,000-character log was cut to its first
    # 10,000 characters without a word. Now the server says how long it is, and the field
    # keeps it (htmx leaves a refused form alone) so the technician can trim it.
    response = as_owner.post(f"/sessions/{session.pk}/messages/", {"body": "x" * 35_000}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#composer-error"
    assert "this one has 35000" in response.text
    assert kinds(session) == []
    page = as_owner.get(f"/sessions/{session.pk}/")
    assert "maxlength" not in page.text.split('id="composer-input"', 1)[1].split(">", 1)[0]


def test_a_viewer_reads_everything_but_gets_no_write_controls(client, viewer, session):
    FactFactory(session=session, key="os", value="Windows 11")
    FixFactory(session=session, title="Disable COM add-ins")
    client.force_login(viewer)

    page = client.get(f"/sessions/{session.pk}/").text

    assert "Windows 11" in page and "Disable COM add-ins" in page
    assert 'data-testid="read-only-notice"' in page
    assert "You are a viewer" in page
    for testid in ("composer-input", "fact-add-key", "fix-propose-title", "resolve-note", "fact-remove-", "fix-set-"):
        assert f'data-testid="{testid}' not in page, testid
    assert 'data-testid="preview-copy"' in page  # reading the ticket note is not a write


def test_another_engineer_reads_a_colleagues_session_read_only(client, senior, session):
    client.force_login(senior)

    page = html.unescape(client.get(f"/sessions/{session.pk}/").text)

    assert "This is Jamie Junior's session" in page
    assert 'data-testid="composer-input"' not in page


def test_an_admin_may_work_a_colleagues_session(client, admin_user, session, assistant):
    client.force_login(admin_user)

    assert 'data-testid="composer-input"' in client.get(f"/sessions/{session.pk}/").text
    assert client.post(f"/sessions/{session.pk}/messages/", {"body": "Taking a look"}, headers=HTMX).status_code == 200


def test_resolving_with_htmx_reloads_the_page_which_shows_the_resolution_and_no_composer(as_owner, session):
    response = as_owner.post(f"/sessions/{session.pk}/resolve/", {"resolution": "Rebuilt the Outlook profile"},
                             headers=HTMX)

    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    session.refresh_from_db()
    assert session.status == SessionStatus.RESOLVED
    assert session.resolution == "Rebuilt the Outlook profile"
    page = as_owner.get(f"/sessions/{session.pk}/").text
    assert 'data-testid="session-resolution"' in page and "Rebuilt the Outlook profile" in page
    assert "Session resolved." in page
    for testid in ("composer-input", "resolve-note", "fact-add-key", "fix-propose-title"):
        assert f'data-testid="{testid}"' not in page, testid


def test_resolving_without_a_note_is_refused_next_to_the_form(as_owner, session):
    response = as_owner.post(f"/sessions/{session.pk}/resolve/", {"resolution": " "}, headers=HTMX)

    assert response.status_code == 400
    assert response["HX-Retarget"] == "#resolve-error"
    assert "Say what fixed it" in response.text
    assert TroubleshootingSession.objects.for_account(session.account).get(pk=session.pk).status == "active"


def test_a_resolved_session_refuses_new_messages_with_409(as_owner, session, assistant):
    as_owner.post(f"/sessions/{session.pk}/resolve/", {"resolution": "Fixed"})

    response = as_owner.post(f"/sessions/{session.pk}/messages/", {"body": "One more thing"}, headers=HTMX)

    assert response.status_code == 409
    assert "This session is resolved" in response.text
    assert assistant.calls == 0


def test_times_on_the_page_are_in_the_accounts_time_zone(as_owner, northwind, session):
    from datetime import UTC, datetime

    northwind.time_zone = "Australia/Sydney"
    northwind.save()
    TroubleshootingSession.unscoped.filter(pk=session.pk).update(updated_at=datetime(2026, 3, 2, 23, 30, tzinfo=UTC))

    page = as_owner.get(f"/sessions/{session.pk}/").text

    assert "3 Mar 2026, 10:30" in page  # 23:30 UTC is 10:30 the next morning in Sydney (AEDT)


def test_the_assistants_light_markdown_is_shown_as_formatting_and_markup_is_never_injected(as_owner, session):
    MessageFactory(session=session, kind=MessageKind.ASSISTANT, author=None,
                   body="**Next step:** Disable add-ins\n- File > Options\n- Untick `PDFMaker`\n\n_Source: Flow_")
    MessageFactory(session=session, body="<script>alert(1)</script> **bold?**")

    page = as_owner.get(f"/sessions/{session.pk}/").text
    tight = re.sub(r">\s+<", "><", page)

    assert "<strong>Next step:</strong> Disable add-ins" in page
    assert "<ul><li>File &gt; Options</li><li>Untick <code>PDFMaker</code></li></ul>" in tight
    assert "<em>Source: Flow</em>" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <strong>bold?</strong>" in page
