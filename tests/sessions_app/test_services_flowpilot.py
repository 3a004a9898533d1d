"""FlowPilot: answering the current step, stepping back, and the path so far."""

from contextlib import contextmanager

import pytest

from accounts.errors import ServiceError
from resolutionflow.errors import http_status
from sessions_app.models import Message, MessageKind, TroubleshootingSession
from sessions_app.services import current_step, flow_answer, flow_step_back, session_resolve

from .factories import FlowFactory, FlowSessionFactory, SessionFactory


@contextmanager
def refused(code, status=None):
    with pytest.raises(ServiceError) as info:
        yield info
    assert info.value.code == code, info.value.detail
    assert status is None or http_status(info.value) == status


def two_step_graph():
    return {
        "start": "cable",
        "steps": {
            "cable": {"type": "question", "text": "Is the network cable plugged in?",
                      "options": [{"label": "Yes", "next": "reboot"}, {"label": "No", "next": "res-plug"}]},
            "reboot": {"type": "action", "text": "Restart the router.", "detail": "Wait two minutes.",
                       "options": [{"label": "Fixed", "next": "res-router"},
                                   {"label": "Didn't help", "next": "res-escalate"}]},
            "res-plug": {"type": "resolution", "text": "Plug the cable in."},
            "res-router": {"type": "resolution", "text": "The router needed a restart."},
            "res-escalate": {"type": "resolution", "text": "Escalate to networking.", "escalate": True},
        },
    }


@pytest.fixture
def session(northwind, engineer):
    flow = FlowFactory(account=northwind, graph=two_step_graph())
    return FlowSessionFactory(account=northwind, owner=engineer, flow=flow)


def system_lines(session):
    return list(Message.objects.for_account(session.account).filter(session=session, kind=MessageKind.SYSTEM)
                .values_list("body", flat=True))


def test_a_flow_session_starts_on_the_start_step(session):
    assert current_step(session)["text"] == "Is the network cable plugged in?"


def test_an_assistant_session_has_no_current_step(northwind):
    assert current_step(SessionFactory(account=northwind)) is None


def test_answering_moves_to_the_next_step_and_records_the_path(session, engineer):
    flow_answer(session=session, actor=engineer, step="cable", option="Yes")
    assert session.current_step == "reboot"
    assert [(item["step"], item["option"]) for item in session.path] == [("cable", "Yes")]
    assert session.path[0]["answered_at"]
    assert system_lines(session) == ["Is the network cable plugged in? → Yes"]


def test_a_walk_reaches_a_resolution_step(session, engineer):
    flow_answer(session=session, actor=engineer, step="cable", option="Yes")
    flow_answer(session=session, actor=engineer, step="reboot", option="Fixed")
    assert current_step(session) == {"type": "resolution", "text": "The router needed a restart."}


def test_answering_a_step_that_is_no_longer_current_is_a_conflict(session, engineer):
    flow_answer(session=session, actor=engineer, step="cable", option="Yes")
    stale = TroubleshootingSession.objects.for_account(session.account).get(pk=session.pk)
    stale.current_step = "cable"  # a second tab still showing the first question
    with refused("not_current_step", 409) as info:
        flow_answer(session=stale, actor=engineer, step="cable", option="No")
    assert info.value.extra == {"current_step": "reboot"}
    session.refresh_from_db()
    assert (session.current_step, len(session.path)) == ("reboot", 1)


def test_an_option_the_step_does_not_have_is_refused_with_the_real_ones(session, engineer):
    with refused("invalid_option", 400) as info:
        flow_answer(session=session, actor=engineer, step="cable", option="Maybe")
    assert "Yes, No" in info.value.detail


def test_a_resolution_step_has_no_answers(session, engineer):
    flow_answer(session=session, actor=engineer, step="cable", option="No")
    with refused("invalid_option") as info:
        flow_answer(session=session, actor=engineer, step="res-plug", option="Yes")
    assert "resolution step" in info.value.detail


def test_stepping_back_undoes_the_last_answer(session, engineer):
    flow_answer(session=session, actor=engineer, step="cable", option="Yes")
    flow_answer(session=session, actor=engineer, step="reboot", option="Didn't help")
    flow_step_back(session=session, actor=engineer)
    assert (session.current_step, [item["option"] for item in session.path]) == ("reboot", ["Yes"])
    flow_step_back(session=session, actor=engineer)
    assert (session.current_step, session.path) == ("cable", [])


def test_there_is_nothing_before_the_first_step(session, engineer):
    with refused("at_start", 409):
        flow_step_back(session=session, actor=engineer)


def test_an_assistant_session_cannot_be_walked(northwind, engineer):
    chat = SessionFactory(account=northwind, owner=engineer)
    with refused("not_a_flow_session", 409):
        flow_answer(session=chat, actor=engineer, step="cable", option="Yes")
    with refused("not_a_flow_session", 409):
        flow_step_back(session=chat, actor=engineer)


def test_a_colleague_and_a_viewer_cannot_walk_the_flow(session, senior, viewer):
    for person in (senior, viewer):
        with refused("permission_denied", 403):
            flow_answer(session=session, actor=person, step="cable", option="Yes")
    session.refresh_from_db()
    assert session.current_step == "cable"


def test_a_resolved_flow_session_cannot_be_walked_or_stepped_back(session, engineer):
    flow_answer(session=session, actor=engineer, step="cable", option="No")
    session_resolve(session=session, actor=engineer, resolution="Plugged in")
    with refused("session_closed", 409):
        flow_step_back(session=session, actor=engineer)


def test_a_newer_flow_version_does_not_move_a_running_session(session, engineer):
    flow = session.flow
    flow.graph = {"start": "other", "steps": {"other": {"type": "resolution", "text": "Replaced"}}}
    flow.version = 2
    flow.save()
    flow_answer(session=session, actor=engineer, step="cable", option="Yes")
    assert current_step(session)["text"] == "Restart the router."
    assert session.flow_version == 1
