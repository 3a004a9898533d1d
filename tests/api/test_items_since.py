"""``since`` on a session's messages, facts and fixes: what is new strictly after the newest
time a client holds, so it can load incrementally; a bad value is a 400 that names it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app import services
from sessions_app.rendering import render_markdown
from tests.sessions_app.factories import SessionFactory


@pytest.fixture
def session(engineer):
    return SessionFactory(account=engineer.account, owner=engineer, title="Printer offline")


def listed(client, name, session, **params):
    response = client.get(reverse(name, args=[session.pk]), params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_messages_since_the_newest_one_held_are_the_new_ones(api, engineer, session):
    client = api.as_user(engineer)
    services.message_post(session=session, actor=engineer, body="First **note**", kind="note")
    held = listed(client, "session-message-list", session)
    assert [m["body"] for m in held] == ["First **note**"]
    assert held[0]["body_html"] == render_markdown("First **note**") and "<strong>note</strong>" in held[0]["body_html"]
    newest = held[-1]["created_at"]
    assert listed(client, "session-message-list", session, since=newest) == []  # strictly after
    services.message_post(session=session, actor=engineer, body="Second", kind="note")
    services.message_post(session=session, actor=engineer, body="Third", kind="note")
    assert [m["body"] for m in listed(client, "session-message-list", session, since=newest)] == ["Second", "Third"]


def test_facts_since_include_the_ones_changed_since(api, engineer, session):
    client = api.as_user(engineer)
    os_fact = services.fact_set(session=session, actor=engineer, key="os", value="Windows 10")
    services.fact_set(session=session, actor=engineer, key="printer", value="HP 400")
    newest = max(f["updated_at"] for f in listed(client, "session-fact-list", session))
    assert listed(client, "session-fact-list", session, since=newest) == []
    services.fact_update(fact=os_fact, actor=engineer, value="Windows 11")
    services.fact_set(session=session, actor=engineer, key="ip", value="10.0.0.7")
    since = listed(client, "session-fact-list", session, since=newest)
    assert sorted((f["key"], f["value"]) for f in since) == [("ip", "10.0.0.7"), ("os", "Windows 11")]


def test_fixes_since_include_a_status_change(api, engineer, session):
    client = api.as_user(engineer)
    first = services.fix_propose(session=session, actor=engineer, title="Restart the spooler")
    services.fix_propose(session=session, actor=engineer, title="Reinstall the driver")
    newest = max(f["updated_at"] for f in listed(client, "session-fix-list", session))
    assert listed(client, "session-fix-list", session, since=newest) == []
    services.fix_set_status(fix=first, actor=engineer, status="active")
    assert [(f["title"], f["status"]) for f in listed(client, "session-fix-list", session, since=newest)] == [
        ("Restart the spooler", "active")]


def test_since_reads_an_offset_and_pages_by_cursor_too(api, engineer, session):
    client = api.as_user(engineer)
    services.message_post(session=session, actor=engineer, body="Old", kind="note")
    an_hour_ago = (timezone.now() - timedelta(hours=1)).astimezone(timezone.get_fixed_timezone(-300)).isoformat()
    assert [m["body"] for m in listed(client, "session-message-list", session, since=an_hour_ago)] == ["Old"]
    in_an_hour = (timezone.now() + timedelta(hours=1)).isoformat()
    assert listed(client, "session-message-list", session, since=in_an_hour) == []
    paged = client.get(reverse("session-message-list", args=[session.pk]), {"since": an_hour_ago, "cursor": ""})
    assert [m["body"] for m in paged.json()["results"]] == ["Old"]


@pytest.mark.parametrize("name", ["session-message-list", "session-fact-list", "session-fix-list"])
@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T00:00:00Z", "10000-01-01"])
def test_a_bad_since_is_a_400_naming_it(api, engineer, session, name, value):
    response = api.as_user(engineer).get(reverse(name, args=[session.pk]), {"since": value})
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["parameter"]) == ("invalid_filter", "since")
    assert body["errors"]["since"][0]["code"] in ("invalid", "out_of_range")


def test_another_accounts_session_is_still_a_404_with_since(api, outsider_admin, session):
    response = api.as_user(outsider_admin).get(reverse("session-message-list", args=[session.pk]),
                                               {"since": timezone.now().isoformat()})
    assert response.status_code == 404
