"""Long words and commands wrap inside their cards, on a 1366 px window and a 390 px phone:
the queue, the session and the context screens never grow wider than the window
(``document.documentElement.scrollWidth`` equals its width). On the phone the session's header
is one line (the title cut on a word boundary by the server), so is the site header (the
navigation folds into a Menu), the composer is reached without scrolling past the whole transcript, and the
context screen shows its actions before the long summary.

Screenshots go to /tmp/rf-e2e-layout-<screen>-<width>.png for a person to look at."""

import pytest
from playwright.sync_api import expect

from handoffs import services
from sessions_app.models import FixStatus, MessageKind
from tests.e2e.pages import live
from tests.sessions_app.factories import FactFactory, FixFactory, MessageFactory, SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

TITLE = ("Outlook on the reception PC hangs on Loading profile after the November update, only for the shared "
         "mailbox of the front desk")
COMMAND = ("powershell.exe -NoProfile -ExecutionPolicy Bypass -Command \"Get-ChildItem -Path "
           "'C:\\Users\\reception\\AppData\\Local\\Microsoft\\Outlook\\RoamCache' -Recurse | Remove-Item -Force\"")
REGISTRY_KEY = ("HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles\\Outlook\\"
                "9375CFF0413111d3B88A00104B2A6676\\00000002\\001f6610_PST_Path_Of_The_Shared_Mailbox_Cache")
URL = "https://learn.microsoft.com/en-us/outlook/troubleshoot/performance/" + "outlook-hangs-loading-profile-" * 4


def overflow(page) -> tuple[int, int]:
    """``(scrollWidth, width)`` of the page: equal when nothing runs off the side."""
    return tuple(page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]"))


@pytest.fixture
def escalation(northwind, engineer, off_loop):
    session = SessionFactory(account=northwind, owner=engineer, title=TITLE, client_name="Harbor Dental",
                             ticket_ref="T-104233", problem=f"Outlook hangs. Profile key: {REGISTRY_KEY}")
    MessageFactory(session=session, body=f"Profile key is {REGISTRY_KEY} and the KB is {URL}")
    MessageFactory(session=session, kind=MessageKind.ASSISTANT, author=None,
                   body=f"**Next step:** clear the roaming cache\n\n```\n{COMMAND}\n```\n\nor inline `{COMMAND}`")
    for n in range(14):  # a transcript longer than a phone's screen
        MessageFactory(session=session, body=f"Tried step {n}: restarted Outlook in safe mode, same hang.")
    FactFactory(session=session, key="registry_key", value=REGISTRY_KEY)
    FixFactory(session=session, title=f"Run {COMMAND}", steps=f"{COMMAND}\n{REGISTRY_KEY}\n{URL}",
               status=FixStatus.FAILED, outcome_note=REGISTRY_KEY)
    FixFactory(session=session, title="Recreate the Outlook profile", steps=COMMAND, status=FixStatus.ACTIVE)
    return off_loop(services.handoff_escalate, session=session, actor=engineer, urgency="high",
                    note=f"Stuck: {REGISTRY_KEY} keeps coming back after {COMMAND}")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_queue_session_and_context_screens_never_scroll_sideways(escalation, engineer, senior, browser_as,
                                                                       viewport):
    width, measured = viewport["width"], {}
    senior_page = browser_as(senior, viewport=viewport)
    senior_page.goto("/escalations/")
    expect(senior_page.get_by_test_id("queue-card")).to_have_count(1)
    senior_page.screenshot(path=f"/tmp/rf-e2e-layout-queue-{width}.png", full_page=True)
    measured["queue"] = overflow(senior_page)

    senior_page.goto(f"/escalations/{escalation.pk}/")
    expect(senior_page.get_by_test_id("handoff-transcript")).to_contain_text("clear the roaming cache")
    senior_page.screenshot(path=f"/tmp/rf-e2e-layout-context-{width}.png", full_page=True)
    measured["context"] = overflow(senior_page)

    page = browser_as(engineer, viewport=viewport)
    page.goto(f"/sessions/{escalation.session_id}/")
    expect(page.get_by_test_id("fix-card")).to_have_count(2)
    page.screenshot(path=f"/tmp/rf-e2e-layout-session-{width}.png", full_page=True)
    measured["session"] = overflow(page)
    column = page.locator(".session-side").bounding_box()
    measured["fix cards inside their column"] = all(
        card.bounding_box()["x"] + card.bounding_box()["width"] <= column["x"] + column["width"]
        for card in page.get_by_test_id("fix-card").all())

    assert measured == {"queue": (width, width), "context": (width, width), "session": (width, width),
                        "fix cards inside their column": True}


def test_on_a_phone_the_session_header_is_one_line_and_the_composer_is_close(escalation, engineer, browser_as,
                                                                             northwind):
    page = browser_as(engineer, viewport=PHONE)
    page.goto(f"/sessions/{escalation.session_id}/")
    # The queue's count shows on the folded Menu button too, and follows the queue live.
    menu_count = page.get_by_test_id("site-menu-count")
    expect(menu_count).to_be_visible()
    expect(menu_count).to_have_text("1")
    expect(page.get_by_test_id("nav-escalations-count")).to_be_hidden()  # folded into the Menu
    another = SessionFactory(account=northwind, owner=engineer, title="VPN drops every 20 minutes")
    live(page)
    # Escalated from another window: the server publishes (the in-memory channel layer of the
    # live server does not wake for a publish from the test's own thread).
    other = browser_as(engineer, viewport=DESKTOP)
    other.goto(f"/sessions/{another.pk}/")
    other.get_by_test_id("escalate-open").click()
    other.get_by_test_id("escalate-note").fill("Stuck on the VPN")
    other.get_by_test_id("escalate-submit").click()
    expect(other.get_by_test_id("escalation-status")).to_contain_text("waiting for a senior")
    expect(menu_count).to_have_text("2")
    page.screenshot(path="/tmp/rf-e2e-layout-phone-menu-count.png")
    # The site header is one line: the brand, Go to… and the Menu, which holds the navigation.
    header = page.locator(".site-header").bounding_box()
    header_middle = header["y"] + header["height"] / 2
    for part in ("brand", "palette-open", "site-menu-toggle"):
        box = page.get_by_test_id(part).bounding_box()
        assert box["y"] <= header_middle <= box["y"] + box["height"], f"{part} is not on the header's line"
    tallest = max(page.get_by_test_id(part).bounding_box()["height"] for part in ("brand", "palette-open"))
    assert header["height"] < 2 * tallest, "the site header takes more than one line"
    expect(page.get_by_test_id("nav-home")).to_be_hidden()
    page.get_by_test_id("site-menu-toggle").click()
    expect(page.get_by_test_id("nav-home")).to_be_visible()
    expect(page.get_by_test_id("logout")).to_be_visible()
    assert page.locator(".site-header").bounding_box()["height"] == header["height"], "the open menu pushes the page"
    page.get_by_test_id("site-menu-toggle").click()
    expect(page.get_by_test_id("nav-home")).to_be_hidden()

    # The session's title is cut by the server on a word boundary, whole in the tooltip and the heading.
    expect(page.get_by_test_id("session-title")).to_have_attribute("title", TITLE)
    title = page.get_by_test_id("session-title-short")
    expect(title).to_be_visible()
    expect(title).to_have_attribute("title", TITLE)
    shown = title.inner_text()
    kept = shown.removesuffix("…")
    assert shown.endswith("…") and TITLE.startswith(kept) and TITLE[len(kept)] == " ", f"{shown!r} ends mid-word"
    assert title.evaluate("t => t.scrollWidth <= t.clientWidth"), "the title is clipped on screen"

    line_height = title.evaluate("t => parseFloat(getComputedStyle(t).lineHeight)")
    title_box = title.bounding_box()
    assert title_box["height"] < 1.5 * line_height, "the title wraps"
    middle = title_box["y"] + title_box["height"] / 2
    for part in (page.get_by_test_id("session-status"), page.get_by_test_id("resolve-open")):
        box = part.bounding_box()
        assert box["y"] <= middle <= box["y"] + box["height"], "the header's parts are not on one line"

    transcript = page.get_by_test_id("transcript")
    scroll_height, client_height = transcript.evaluate("t => [t.scrollHeight, t.clientHeight]")
    assert scroll_height > PHONE["height"] > client_height, "the transcript does not scroll in place"
    composer = page.get_by_test_id("composer-input").bounding_box()
    assert composer["y"] - transcript.bounding_box()["y"] < PHONE["height"], "the composer is a transcript away"
    page.screenshot(path="/tmp/rf-e2e-layout-session-390-top.png")


def test_on_a_phone_the_context_screen_shows_its_actions_before_the_summary(escalation, senior, browser_as):
    page = browser_as(senior, viewport=PHONE)
    page.goto(f"/escalations/{escalation.pk}/")
    pick_up = page.get_by_test_id("handoff-pickup").bounding_box()
    summary = page.get_by_test_id("handoff-summary").bounding_box()
    assert pick_up["y"] + pick_up["height"] <= summary["y"]
    assert pick_up["y"] + pick_up["height"] <= PHONE["height"], "Pick Up is not on the first screen"
