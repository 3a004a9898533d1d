"""Titles are never cut in text people copy out (the ticket note), and are cut on a word
boundary on screen, with the whole title in the element's ``title`` tooltip."""

import html
import re

import pytest
from django.urls import reverse

from handoffs import services as handoff_services
from sessions_app.rendering import shorten
from sessions_app.services.preview import session_preview

from .factories import FixFactory, SessionFactory

# 157 characters; the screens show 90.
TITLE = ("Outlook 2016 on the reception PC hangs on Loading profile after the November update, "
         "only for the shared mailbox of the front desk, and safe mode does not help")


def shown(page: str, testid_or_class: str) -> tuple[str, str]:
    """``(tooltip, text)`` of the first element with that class or data-testid."""
    match = re.search(rf'<(\w+)[^>]*(?:class="{testid_or_class}"|data-testid="{testid_or_class}")[^>]*>(.*?)</\1>',
                      page, re.S)
    assert match, f"no {testid_or_class} on the page"
    tooltip = re.search(r'title="([^"]*)"', match.group(0))
    return html.unescape(tooltip.group(1)) if tooltip else "", html.unescape(match.group(2).strip())


def assert_cut_on_a_word(text: str, whole: str):
    assert text.endswith("…") and len(text) <= 90
    kept = text.removesuffix("…")
    assert whole.startswith(kept) and whole[len(kept)] == " ", f"{text!r} cuts a word of {whole!r}"


# ---- the rule --------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "limit", "expected"), [
    ("Printer offline", 90, "Printer offline"),
    ("Printer offline on the second floor", 20, "Printer offline on…"),
    ("Printer offline, second floor", 17, "Printer offline…"),  # no dangling comma
    ("Printer  offline\n again", 90, "Printer offline again"),
    ("C:\\Users\\reception\\AppData\\Local\\Microsoft\\Outlook", 20, "C:\\Users\\reception\\…"),  # one word
    ("", 10, ""),
])
def test_shorten_cuts_on_a_word_boundary(text, limit, expected):
    assert shorten(text, limit) == expected
    assert len(shorten(text, limit)) <= limit


# ---- text that is copied out -----------------------------------------------------------------


def test_the_ticket_note_carries_whole_titles(northwind, engineer):
    session = SessionFactory(account=northwind, owner=engineer, title=TITLE)
    fix_title = "Recreate the Outlook profile " + "and re-add the shared mailbox of the front desk " * 3
    FixFactory(session=session, title=fix_title.strip(), status="failed")

    note = session_preview(session=session)

    assert note.text.splitlines()[0] == TITLE
    assert f"**{TITLE}**" in note.markdown
    assert f"- {fix_title.strip()} (did not help)" in note.text
    assert "…" not in note.text and "…" not in note.markdown


def test_the_session_page_shows_the_whole_title_and_copies_it_whole(client, northwind, engineer):
    session = SessionFactory(account=northwind, owner=engineer, title=TITLE)
    client.force_login(engineer)

    page = client.get(reverse("sessions:detail", args=[session.pk])).text

    tooltip, text = shown(page, "session-title")
    assert TITLE in (tooltip, text)
    preview = re.search(r'<textarea[^>]*id="preview-text"[^>]*>(.*?)</textarea>', page, re.S)
    assert preview and html.unescape(preview.group(1)).splitlines()[0] == TITLE


# ---- screens -----------------------------------------------------------------------------------


def test_home_cuts_a_long_title_on_a_word_with_the_whole_title_in_the_tooltip(client, northwind, engineer):
    SessionFactory(account=northwind, owner=engineer, title=TITLE)
    client.force_login(engineer)

    tooltip, text = shown(client.get(reverse("home")).text, "session-card__title")

    assert tooltip == TITLE
    assert_cut_on_a_word(text, TITLE)


def test_session_history_cuts_a_long_title_on_a_word_with_the_whole_title_in_the_tooltip(client, northwind, engineer):
    SessionFactory(account=northwind, owner=engineer, title=TITLE)
    client.force_login(engineer)

    tooltip, text = shown(client.get(reverse("sessions:history")).text, "session-card__title")

    assert tooltip == TITLE
    assert_cut_on_a_word(text, TITLE)


def test_a_queue_card_cuts_a_long_title_on_a_word_with_the_whole_title_in_the_tooltip(client, northwind, engineer,
                                                                                      senior):
    session = SessionFactory(account=northwind, owner=engineer, title=TITLE)
    handoff_services.handoff_escalate(session=session, actor=engineer, note="Stuck after the profile rebuild",
                                      urgency="normal")
    client.force_login(senior)

    tooltip, text = shown(client.get(reverse("handoffs:queue")).text, "queue-card-open")

    assert tooltip == TITLE
    assert_cut_on_a_word(text, TITLE)
