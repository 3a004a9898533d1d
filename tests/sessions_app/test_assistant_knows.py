"""The assistant answers the opening, ranks with the database's full-text index, says when
no runbook fits, and learns from resolved sessions (issue 13). Runs on SQLite (FTS5) and on
PostgreSQL (tsvector + GIN) alike: ``DATABASE_URL=postgres://… pytest`` runs the same tests."""

import io

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from sessions_app.assistant import index
from sessions_app.flows.library import load_library
from sessions_app.models import Fix, Flow, Message, MessageKind, SearchEntry, SessionStatus
from sessions_app.services import (
    flow_create,
    flow_draft_from_session,
    message_post,
    session_closest_runbook,
    session_create,
    session_resolve,
)
from tests.sessions_app.factories import SessionFactory


@pytest.fixture
def library(db):
    load_library()


def start(api, user, title, problem):
    return api.as_user(user).post(reverse("session-list"), {"mode": "assistant", "title": title, "problem": problem},
                                  format="json")


def flows_suggested(message: dict) -> list[str]:
    return [suggestion["slug"] for suggestion in message["suggestions"] if suggestion["kind"] == "flow"]


# ---- the opening ------------------------------------------------------------------------


def test_creating_a_session_answers_the_opening_and_stores_its_facts(api, engineer, library):
    response = start(api, engineer, "Outlook hangs on the splash screen",
                     "Reception PC on Win11 23H2: Outlook sits on 'Loading profile' forever.")

    assert response.status_code == 201, response.content
    opening = response.json()["opening"]
    assert opening["message"]["kind"] == "tech"
    assert opening["reply"]["kind"] == "assistant" and opening["reply"]["body"]
    assert flows_suggested(opening["reply"]) == ["outlook-will-not-start"]
    assert {(fact["key"], fact["value"]) for fact in opening["facts"]} >= {
        ("os", "Windows 11"), ("os_version", "23H2"), ("product", "Outlook")}
    suggestion = opening["reply"]["suggestions"][0]
    assert set(suggestion) == {"kind", "id", "slug", "score", "why"}
    assert suggestion["id"] == str(Flow.objects.global_library().get(slug="outlook-will-not-start").pk)
    assert suggestion["score"] > 0 and "symptom" in suggestion["why"]


def test_a_title_alone_is_answered_too(northwind, engineer, library):
    session = session_create(account=northwind, owner=engineer, mode="assistant", title="Printer offline again")

    kinds = list(Message.objects.for_account(northwind).filter(session=session).values_list("kind", flat=True))
    assert kinds == [MessageKind.ASSISTANT]
    assert session.opening.message is None and session.opening.reply.suggestions[0]["slug"] == \
        "printer-offline-spooler"


def test_the_reply_text_no_longer_carries_the_matched_on_lines(api, engineer, library):
    reply = start(api, engineer, "VPN will not connect", "FortiClient stops at 40% then says the server is "
                                                         "unreachable").json()["opening"]["reply"]
    assert "Matched on" not in reply["body"] and "terms:" not in reply["body"]
    assert reply["suggestions"] and reply["suggestions"][0]["why"]


def test_the_page_shows_the_answer_and_the_why_behind_a_disclosure(client, engineer, northwind, library):
    client.force_login(engineer)
    response = client.post("/sessions/new/", {"mode": "assistant",
                                              "problem": "Print job won't go away, the queue is stuck"})
    page = client.get(response.url).content.decode()

    assert 'data-testid="message-assistant"' in page
    assert 'data-testid="suggestion-why"' in page and "printer-offline-spooler" in page


# ---- knowing when it does not know ------------------------------------------------------


@pytest.mark.parametrize(("title", "problem"), [
    ("Outlook search finds nothing recent", "Searching in Outlook only returns emails older than a few months."),
    ("Can't see the boss's calendar", "PA can no longer open her manager's calendar in Outlook: no permission."),
    ("Word says unlicensed product", "Word and Excel show 'Unlicensed Product' and open read-only."),
])
def test_a_shared_product_word_alone_suggests_no_runbook_and_proposes_no_fix(api, engineer, library, title, problem):
    body = start(api, engineer, title, problem).json()
    reply = body["opening"]["reply"]

    assert reply["suggestions"] == []
    assert body["opening"]["fixes"] == []
    assert Fix.objects.for_account(engineer.account).count() == 0
    assert "no runbook or resolved session" in reply["body"]
    assert "?" in reply["body"]  # it asks instead


def test_a_close_call_between_two_runbooks_asks_the_question_that_separates_them(northwind, engineer, library):
    session = session_create(account=northwind, owner=engineer, mode="assistant", title="Locked out",
                             problem="She is locked out.")
    reply = session.opening.reply

    assert reply.suggestions == []
    assert "Account locked out (Active Directory)" in reply.body and "Microsoft 365 MFA lockout" in reply.body


def test_the_topic_set_by_the_opening_holds_against_a_detail_in_the_follow_up(northwind, engineer, library):
    session = session_create(
        account=northwind, owner=engineer, mode="assistant", title="Shared team folder out of date",
        problem="The library they sync from SharePoint shows 'sync pending' for hours.")
    posted = message_post(session=session, actor=engineer,
                          body="They come in over the FortiClient full-tunnel VPN, Windows 10 laptops.")

    assert session.opening.reply.suggestions[0]["slug"] == "onedrive-not-syncing"
    assert [s["slug"] for s in posted.reply.suggestions if s["kind"] == "flow"] == ["onedrive-not-syncing"]


def test_new_evidence_in_the_follow_up_can_set_the_topic(northwind, engineer, library):
    session = session_create(account=northwind, owner=engineer, mode="assistant", title="Help with a laptop",
                             problem="User has a problem with her laptop this morning.")
    posted = message_post(session=session, actor=engineer,
                          body="Her C: drive is full, 0 bytes free, and updates fail.")

    assert session.opening.reply.suggestions == []
    assert posted.reply.suggestions[0]["slug"] == "disk-full"


# ---- the index ---------------------------------------------------------------------------


def test_the_search_uses_the_databases_own_full_text_engine(northwind, library):
    words = index.query_words("spooler queue")
    found = index.search(account=northwind, words=words, kind="flow", limit=3)

    slugs = list(SearchEntry.entries.filter(id__in=found).values_list("slug", flat=True))
    assert "printer-offline-spooler" in slugs
    if connection.vendor == "postgresql":
        assert SearchEntry.entries.filter(id__in=found, vector__isnull=False).count() == len(found)


def test_a_new_runbook_is_searchable_as_soon_as_it_is_saved(northwind, admin_user, engineer, library):
    flow_create(account=northwind, actor=admin_user, name="Scanner will not scan to folder",
                description="The copier's scan to folder fails with an SMB error.",
                keywords=["scan to folder", "smb"], graph={
                    "start": "a", "steps": {
                        "a": {"type": "action", "text": "Check the SMB share.", "options": [
                            {"label": "Fixed", "next": "r"}]},
                        "r": {"type": "resolution", "text": "Share fixed.", "options": []}}})

    found = index.search(account=northwind, words=["smb"], kind="flow", limit=5)
    assert SearchEntry.entries.filter(id__in=found, title="Scanner will not scan to folder").exists()


def test_a_resolved_session_is_searchable_at_once_and_carries_its_closest_runbook(northwind, engineer, library):
    first = session_create(account=northwind, owner=engineer, mode="assistant", title="Spooler crash on PRT01",
                           problem="Print spooler keeps stopping on the print server, jobs stuck in the queue.")
    session_resolve(session=first, actor=engineer, resolution="Removed the Kyocera KX driver that crashed the "
                                                             "spooler and installed the KPDL one.")

    assert session_closest_runbook(session=first) == "printer-offline-spooler"
    second = session_create(account=northwind, owner=engineer, mode="assistant", title="Spooler crash again",
                            problem="Print spooler keeps stopping on the print server, jobs stuck in the queue.")
    kinds = {s["kind"]: s for s in second.opening.reply.suggestions}
    assert kinds["session"]["id"] == str(first.pk) and kinds["session"]["slug"] == "printer-offline-spooler"


def test_a_session_resolved_by_another_path_is_caught_up_before_the_next_search(northwind, engineer, library):
    other = SessionFactory(account=northwind, owner=engineer, title="Spooler crash on PRT02",
                           problem="Print spooler keeps stopping, jobs stuck in the queue.",
                           resolution="Replaced the Kyocera KX driver.", status=SessionStatus.RESOLVED,
                           resolved_at=timezone.now())
    assert not SearchEntry.entries.filter(object_id=other.pk).exists()

    session = session_create(account=northwind, owner=engineer, mode="assistant", title="Spooler crash",
                             problem="Print spooler keeps stopping, jobs stuck in the queue.")

    assert SearchEntry.entries.filter(object_id=other.pk, kind="session").exists()
    assert str(other.pk) in [s["id"] for s in session.opening.reply.suggestions]


def test_another_accounts_sessions_are_never_searched(northwind, outsider, engineer, library):
    theirs = SessionFactory(account=outsider, title="Spooler crash on PRT02",
                            problem="Print spooler keeps stopping, jobs stuck in the queue.",
                            resolution="Replaced the Kyocera KX driver.", status=SessionStatus.RESOLVED,
                            resolved_at=timezone.now())
    index.index_session(theirs)

    session = session_create(account=northwind, owner=engineer, mode="assistant", title="Spooler crash",
                             problem="Print spooler keeps stopping, jobs stuck in the queue.")

    assert str(theirs.pk) not in [s["id"] for s in session.opening.reply.suggestions]
    assert index.search(account=northwind, words=["kyocera"], kind="session", limit=5) == []


# ---- the knowledge loop ------------------------------------------------------------------


def test_an_admin_turns_a_resolution_into_a_draft_runbook(api, northwind, engineer, admin_user, library):
    session = session_create(account=northwind, owner=engineer, mode="assistant", title="QuickBooks H202",
                             problem="QuickBooks shows H202 opening the company file in multi-user mode.")
    session_resolve(session=session, actor=engineer, resolution="Opened port 8019 and 56728 on the server "
                                                               "firewall for the QuickBooks Database Server Manager.")

    response = api.as_user(admin_user).post(reverse("session-draft-runbook", args=[session.pk]))

    assert response.status_code == 201, response.content
    draft = Flow.objects.owned_by(northwind).get(pk=response.json()["id"])
    assert (draft.is_active, draft.name) == (False, "Draft: QuickBooks H202")
    assert "H202" in draft.keywords and "QuickBooks" in draft.keywords
    assert draft.graph["steps"]["apply-fix"]["detail"].startswith("Opened port 8019")
    assert SearchEntry.entries.filter(kind="flow", object_id=draft.pk).exists()


def test_only_admins_draft_runbooks_and_only_from_resolved_sessions(api, northwind, engineer, admin_user, library):
    session = session_create(account=northwind, owner=engineer, mode="assistant", title="Open one",
                             problem="Still working on it.")

    refused = api.as_user(engineer).post(reverse("session-draft-runbook", args=[session.pk]))
    open_one = api.as_user(admin_user).post(reverse("session-draft-runbook", args=[session.pk]))

    assert refused.status_code == 403
    assert (open_one.status_code, open_one.json()["code"]) == (409, "not_resolved")
    assert not Flow.objects.owned_by(northwind).exists()


def test_the_session_page_offers_admins_the_draft_runbook_action(client, northwind, engineer, admin_user, library):
    session = session_create(account=northwind, owner=engineer, mode="assistant", title="QuickBooks H202",
                             problem="QuickBooks shows H202.")
    session_resolve(session=session, actor=engineer, resolution="Opened the QuickBooks ports on the server.")
    client.force_login(admin_user)

    page = client.get(f"/sessions/{session.pk}/").content.decode()
    response = client.post(f"/sessions/{session.pk}/draft-runbook/")

    assert 'data-testid="draft-runbook"' in page
    assert response.status_code == 302
    assert Flow.objects.owned_by(northwind).filter(name="Draft: QuickBooks H202", is_active=False).exists()


def test_drafting_refuses_a_session_that_is_not_resolved(northwind, engineer, admin_user, library):
    session = session_create(account=northwind, owner=engineer, mode="assistant", title="x", problem="y")
    with pytest.raises(Exception) as caught:
        flow_draft_from_session(session=session, actor=admin_user)
    assert getattr(caught.value, "code", "") == "not_resolved"


def test_the_reindex_command_rebuilds_every_entry(northwind, engineer, library):
    from django.core.management import call_command

    session = SessionFactory(account=northwind, owner=engineer, title="Spooler crash", problem="Spooler stops.",
                             resolution="New driver.", status=SessionStatus.RESOLVED, resolved_at=timezone.now())
    SearchEntry.entries.all().delete()

    out = io.StringIO()
    call_command("assistant_reindex", stdout=out)

    assert "Indexed" in out.getvalue()
    assert SearchEntry.entries.filter(kind="session", object_id=session.pk).exists()
    assert SearchEntry.entries.filter(kind="flow").count() == Flow.objects.global_library().count()
