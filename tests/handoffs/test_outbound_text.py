"""User text that leaves for another format (issue 8, kind 6): every user field that reaches a
chat webhook's ``text`` is escaped (Slack's rules; Teams adds Markdown link brackets), and
every email header built from user text is one line, so a title with a line break neither
breaks the email nor adds a header."""

import json
from email import message_from_bytes

import pytest
from django.core import mail

from accounts import services as account_services
from accounts.models import Account, User
from handoffs import deliveries, notifications, services
from handoffs.models import Delivery, Handoff
from handoffs.webhooks import chat_escape, chat_flavour
from tests.sessions_app.factories import SessionFactory
from tests.tasks import run_due_tasks

EVIL = "<!here> see <https://evil.example|the ticket> & <@U123>"
ESCAPED = "&lt;!here&gt; see &lt;https://evil.example|the ticket&gt; &amp; &lt;@U123&gt;"
SLACK_HOOK = "https://hooks.example.test/services/T1/B2/x"
TEAMS_HOOK = "https://contoso.webhook.office.com/webhookb2/x/IncomingWebhook/y/z"


@pytest.fixture(autouse=True)
def example_hooks_allowed(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["hooks.example.test", "contoso.webhook.office.com"]


@pytest.fixture
def session(northwind, engineer):
    account_services.account_update(account=northwind, actor=None, webhook_url=SLACK_HOOK)
    northwind.refresh_from_db()
    return SessionFactory(account=northwind, owner=engineer, title="Exchange rejects outside mail",
                          client_name="Harbor Dental", ticket_ref="T-77")


def chat_texts(account) -> dict[str, str]:
    """The chat ``text`` of each webhook delivery written, by event name."""
    rows = Delivery.objects.for_account(account).filter(kind="webhook").order_by("created_at", "id")
    return {row.topic: json.loads(row.body)["text"] for row in rows}


def rename(user, name):
    User.objects.filter(pk=user.pk).update(display_name=name)
    user.refresh_from_db()


def escalate(session, actor=None, note="Stuck on it"):
    return services.handoff_escalate(session=session, actor=actor or session.owner, note=note, urgency="normal")


def set_session(session, **fields):
    type(session).objects.for_account(session.account).filter(pk=session.pk).update(**fields)
    session.refresh_from_db()


# Each way a user's text reaches chat: (what is set, how the events are produced, which event's text).
def _title(session, senior):
    set_session(session, title=EVIL)
    escalate(session)


def _client(session, senior):
    set_session(session, client_name=EVIL)
    escalate(session)


def _ticket(session, senior):
    set_session(session, ticket_ref=EVIL[:64])
    escalate(session)


def _owner_name(session, senior):
    rename(session.owner, EVIL)
    escalate(session)


def _escalator_name(session, senior):
    rename(senior, EVIL)
    escalate(session, actor=senior)


def _note(session, senior):
    escalate(session, note=EVIL)


def _claimant_name(session, senior):
    rename(senior, EVIL)
    services.handoff_claim(handoff=escalate(session), actor=senior)


def _return_note(session, senior):
    handoff = escalate(session)
    services.handoff_claim(handoff=handoff, actor=senior)
    services.handoff_return(handoff=handoff, actor=senior, note=EVIL)


def _resolution(session, senior):
    handoff = escalate(session)
    services.handoff_claim(handoff=handoff, actor=senior)
    services.handoff_resolve(handoff=handoff, actor=senior, resolution=EVIL)


def _canceller_name(session, senior):
    rename(session.owner, EVIL)
    handoff = escalate(session)
    services.handoff_cancel(handoff=handoff, actor=session.owner)


def _alerted_title(session, senior):
    set_session(session, title=EVIL)
    services.handoff_alert(handoff=escalate(session))


PLACES = [
    ("session title", _title, "handoff.created", ESCAPED),
    ("client", _client, "handoff.created", ESCAPED),
    ("ticket", _ticket, "handoff.created", chat_escape(EVIL[:64])),
    ("owner's name", _owner_name, "handoff.created", ESCAPED),
    ("escalating colleague's name", _escalator_name, "handoff.created", ESCAPED),
    ("escalation note", _note, "handoff.created", ESCAPED),
    ("claimant's name", _claimant_name, "handoff.claimed", ESCAPED),
    ("return note", _return_note, "handoff.returned", ESCAPED),
    ("resolution", _resolution, "handoff.resolved", ESCAPED),
    ("canceller's name", _canceller_name, "handoff.cancelled", ESCAPED),
    ("title in an alert", _alerted_title, "handoff.alerted", ESCAPED),
]


@pytest.mark.parametrize(("place", "produce", "event", "expected"), PLACES, ids=[p[0] for p in PLACES])
def test_user_text_in_chat_is_inert(session, senior, place, produce, event, expected):
    produce(session, senior)
    texts = chat_texts(session.account)
    text = texts[event]
    assert expected in text
    for sent in texts.values():
        assert "<" not in sent and ">" not in sent  # no Slack control sequence can survive


def test_the_account_name_in_a_test_delivery_is_inert(northwind, admin_user):
    account_services.account_update(account=northwind, actor=None, webhook_url=SLACK_HOOK, name=EVIL[:120])
    row = deliveries.webhook_test_send(account=Account.objects.get(pk=northwind.pk), actor=admin_user)
    assert ESCAPED in json.loads(row.body)["text"]


def test_teams_text_also_makes_markdown_links_inert(session):
    account_services.account_update(account=session.account, actor=None, webhook_url=TEAMS_HOOK)
    session.account.refresh_from_db()
    escalate(session, note="[the ticket](https://evil.example) <at>everyone</at>")
    text = chat_texts(session.account)["handoff.created"]
    assert "&#91;the ticket&#93;(https://evil.example) &lt;at&gt;everyone&lt;/at&gt;" in text
    assert not {"[", "]", "<", ">"} & set(text)


def test_the_flavour_follows_the_receivers_host():
    assert chat_flavour(TEAMS_HOOK) == "teams"
    assert chat_flavour("https://prod-12.westeurope.logic.azure.com/workflows/x") == "teams"
    assert chat_flavour(SLACK_HOOK) == "slack"
    assert chat_flavour("https://receiver.example.test/hook") == "slack"


def test_the_json_fields_keep_the_text_as_written(session):
    escalate(session, note=EVIL)
    body = json.loads(Delivery.objects.for_account(session.account).get(kind="webhook").body)
    assert body["handoff"]["note"] == EVIL  # JSON is its own encoding; only chat markup is escaped


# ---- email headers ---------------------------------------------------------------------------

BROKEN = "Printer offline\nat front desk\r\nBcc: intruder@evil.test\u2028again\tand\x0bmore"
ONE_LINE = "Printer offline at front desk Bcc: intruder@evil.test again and more"


def sent_headers(message):
    parsed = message_from_bytes(message.message().as_bytes())
    return parsed, [name.lower() for name in parsed.keys()]


@pytest.fixture
def recipients_ready(personas):
    return personas


def test_a_title_with_line_breaks_makes_a_one_line_subject_for_a_new_escalation(session, recipients_ready):
    set_session(session, title=BROKEN)
    services.handoff_escalate(session=session, actor=session.owner, note="Stuck on it", urgency="critical")
    run_due_tasks()
    assert {row.status for row in Delivery.objects.for_account(session.account).filter(kind="email")} == \
        {"delivered"}
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@northwind.test", "sam@northwind.test"]
    for message in mail.outbox:
        assert message.subject == f"[Northwind IT] Critical escalation: {ONE_LINE}"
        parsed, names = sent_headers(message)
        assert "bcc" not in names and parsed["Subject"].replace("\n ", " ").startswith("[Northwind IT]")
        assert f"Session: {ONE_LINE}\n" in message.body


def test_a_title_with_line_breaks_makes_a_one_line_subject_for_an_unclaimed_alert(session, recipients_ready):
    set_session(session, title=BROKEN)
    handoff = escalate(session)
    services.handoff_alert(handoff=Handoff.unscoped.get(pk=handoff.pk))
    run_due_tasks()
    [first, *_] = mail.outbox
    assert first.subject.startswith("[Northwind IT] Unclaimed for 0 min: ") and first.subject.endswith(ONE_LINE)
    _, names = sent_headers(first)
    assert "bcc" not in names


def test_an_account_name_with_a_line_break_makes_a_one_line_subject(session, recipients_ready):
    Account.objects.filter(pk=session.account_id).update(name="Northwind\nBcc: intruder@evil.test")
    session.account.refresh_from_db()
    handoff = Handoff.unscoped.select_related("account").get(pk=services.handoff_escalate(
        session=session, actor=session.owner, note="Stuck on it", urgency="high").pk)
    run_due_tasks()
    assert mail.outbox, "no email was sent"
    for message in mail.outbox:
        assert message.subject.startswith("[Northwind Bcc: intruder@evil.test] High escalation")
        assert "bcc" not in sent_headers(message)[1]
    assert handoff.status == "open"


def test_one_line_cuts_long_text_with_an_ellipsis():
    assert notifications.one_line("a" * 300) == "a" * 199 + "…"
    assert notifications.one_line("  many   spaces\n\n") == "many spaces"
    assert notifications.one_line("nul\x00and\u200ebidi\x85next") == "nul and bidi next"
