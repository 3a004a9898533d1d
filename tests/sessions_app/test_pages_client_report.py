"""/sessions/client-report/: a page script reports what it must not handle silently (a reply
for another session than the one on screen); the server logs it and answers 204."""

import json
import logging

import pytest
from django.test import Client

from tests.factories import PASSWORD

REPORT = {"kind": "session_mismatch", "expected": "11111111-1111-1111-1111-111111111111",
          "got": "22222222-2222-2222-2222-222222222222", "page": "/sessions/11111111-1111-1111-1111-111111111111/"}


def post(client, payload, **kwargs):
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post("/sessions/client-report/", data=body, content_type="application/json", **kwargs)


def test_a_mismatch_report_is_logged_as_a_warning_and_answered_with_204(client, engineer, caplog):
    client.force_login(engineer)

    with caplog.at_level(logging.WARNING, logger="sessions_app.client"):
        response = post(client, REPORT)

    assert response.status_code == 204
    [record] = [r for r in caplog.records if r.name == "sessions_app.client"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "session_mismatch" in message
    assert REPORT["expected"] in message and REPORT["got"] in message
    assert str(engineer.pk) in message


def test_a_report_cannot_forge_log_lines(client, engineer, caplog):
    client.force_login(engineer)

    with caplog.at_level(logging.WARNING, logger="sessions_app.client"):
        post(client, {**REPORT, "got": "x\nCRITICAL everything is on fire"})

    assert "\n" not in caplog.records[-1].getMessage()


@pytest.mark.parametrize("payload", ["not json", json.dumps([1, 2]), json.dumps({"kind": "something_else"}),
                                     json.dumps({"expected": "a"}), json.dumps({"kind": "session_mismatch",
                                                                                "got": "x" * 5000})])
def test_a_malformed_report_is_refused_with_400_and_not_logged(client, engineer, caplog, payload):
    client.force_login(engineer)

    with caplog.at_level(logging.WARNING, logger="sessions_app.client"):
        response = post(client, payload)

    assert response.status_code == 400
    assert not [r for r in caplog.records if r.name == "sessions_app.client"]


def test_a_report_needs_a_login(client, db, caplog):
    response = post(client, REPORT)

    assert response.status_code == 401
    assert not [r for r in caplog.records if r.name == "sessions_app.client"]


def test_a_report_needs_the_csrf_token(engineer):
    client = Client(enforce_csrf_checks=True)
    client.login(username=engineer.email, password=PASSWORD)

    response = post(client, REPORT)

    assert response.status_code == 403


def test_a_report_is_post_only(client, engineer):
    client.force_login(engineer)

    assert client.get("/sessions/client-report/").status_code == 405
