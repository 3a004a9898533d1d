"""Every change to a session reaches everyone watching it (``session.changed`` on
``/ws/v1/sessions/<id>/``), once its transaction commits, and nobody else."""

import pytest
from channels.db import database_sync_to_async

from accounts.errors import ServiceError
from handoffs import services as handoff_services
from sessions_app import services
from sessions_app.models import MessageKind
from tests.realtime.test_handoff_sockets import ORIGIN, open_socket, session_path, subscribed, team, token_header
from tests.sessions_app.factories import FlowSessionFactory

pytestmark = pytest.mark.django_db(transaction=True)

run = database_sync_to_async(lambda fn, /, **kwargs: fn(**kwargs))


async def test_a_fact_written_by_the_owner_names_the_facts_preview_and_head_with_its_author():
    cast = await team()
    watching = await subscribed(session_path(cast["session"]), cast["senior"])

    await run(services.fact_set, session=cast["session"], actor=cast["junior"], key="os_version", value="Windows 11")

    event = await watching.receive_json_from(timeout=5)
    assert event == {"event": "session.changed", "session": str(cast["session"].pk),
                     "actor": str(cast["junior"].pk), "regions": ["head", "facts", "preview"],
                     "reload": False, "status": "active", "seq": 1}
    await watching.disconnect()


async def test_a_message_and_the_assistants_reply_arrive_as_two_changes():
    cast = await team()
    watching = await subscribed(session_path(cast["session"]), cast["viewer"])

    await run(services.message_post, session=cast["session"], actor=cast["junior"],
              body="Outlook 2021 on Windows 11 hangs at Loading profile")

    mine = await watching.receive_json_from(timeout=5)
    reply = await watching.receive_json_from(timeout=5)
    assert (mine["actor"], mine["regions"]) == (str(cast["junior"].pk), ["head", "transcript"])
    assert reply["actor"] is None
    assert reply["regions"] == ["head", "transcript", "facts", "fixes", "preview"]
    await watching.disconnect()


async def test_a_note_fix_and_resolve_each_say_what_changed_and_resolve_reloads_the_page():
    cast = await team()
    watching = await subscribed(session_path(cast["session"]), cast["senior"])

    await run(services.message_post, session=cast["session"], actor=cast["junior"], body="Tried a new profile",
              kind=MessageKind.NOTE)
    await run(services.fix_propose, session=cast["session"], actor=cast["junior"], title="Repair Office")
    await run(services.session_resolve, session=cast["session"], actor=cast["junior"], resolution="Repaired Office")

    frames = [await watching.receive_json_from(timeout=5) for _ in range(3)]
    assert [(f["regions"], f["reload"], f["status"]) for f in frames] == [
        (["head", "transcript"], False, "active"),
        (["head", "fixes", "preview"], False, "active"),
        ([], True, "resolved"),
    ]
    await watching.disconnect()


async def test_a_refused_write_publishes_nothing():
    cast = await team()
    watching = await subscribed(session_path(cast["session"]), cast["junior"])

    with pytest.raises(ServiceError):  # a viewer may not write: rolled back before commit
        await run(services.fact_set, session=cast["session"], actor=cast["viewer"], key="os_version", value="x")
    await run(services.fact_set, session=cast["session"], actor=cast["junior"], key="client", value="Acme")

    # The sentinel write is the next frame: the refused one sent nothing before it.
    assert (await watching.receive_json_from(timeout=5))["actor"] == str(cast["junior"].pk)
    await watching.disconnect()


async def test_pick_up_return_and_the_claimants_work_reach_the_owners_page():
    cast = await team()
    watching = await subscribed(session_path(cast["session"]), cast["junior"])
    elsewhere = await subscribed(session_path(cast["second_session"]), cast["junior"])

    handoff = await run(handoff_services.handoff_escalate, session=cast["session"], actor=cast["junior"],
                        note="Stuck on the profile")
    await run(handoff_services.handoff_claim, handoff=handoff, actor=cast["senior"])
    await run(services.fact_set, session=cast["session"], actor=cast["senior"], key="os_version", value="Win 11")
    await run(handoff_services.handoff_return, handoff=handoff, actor=cast["senior"], note="Rebuild the OST")

    frames = [await watching.receive_json_from(timeout=5) for _ in range(7)]
    changed = [(f["actor"], f["reload"], f["status"]) for f in frames if f["event"] == "session.changed"]
    senior = str(cast["senior"].pk)
    assert changed == [(None, True, "escalated"), (senior, True, "escalated"), (senior, False, "escalated"),
                       (senior, True, "active")]
    assert [f["event"] for f in frames if f["event"] != "session.changed"] == [
        "handoff.created", "handoff.claimed", "handoff.first_action"]
    # The return's own escalation event is next; the other session heard nothing.
    assert (await watching.receive_json_from(timeout=5))["event"] == "handoff.returned"
    await run(services.fact_set, session=cast["second_session"], actor=cast["junior"], key="client", value="Acme")
    assert (await elsewhere.receive_json_from(timeout=5))["regions"] == ["head", "facts", "preview"]
    await watching.disconnect()
    await elsewhere.disconnect()


async def test_a_flow_answer_names_the_step_the_path_and_the_note():
    cast = await team()
    flow_session = await run(FlowSessionFactory, account=cast["session"].account, owner=cast["junior"])
    watching = await subscribed(session_path(flow_session), cast["viewer"])

    await run(services.flow_answer, session=flow_session, actor=cast["junior"], step="restart", option="No")

    event = await watching.receive_json_from(timeout=5)
    assert event["regions"] == ["head", "transcript", "preview", "flow_step", "flow_path"]
    assert (event["actor"], event["reload"]) == (str(cast["junior"].pk), False)
    await watching.disconnect()


async def test_consecutive_changes_carry_consecutive_numbers_and_the_page_is_rendered_with_the_last():
    cast = await team()
    watching = await subscribed(session_path(cast["session"]), cast["senior"])
    before = await run(lambda: type(cast["session"]).unscoped.get(pk=cast["session"].pk).event_seq)

    await run(services.fact_set, session=cast["session"], actor=cast["junior"], key="client", value="Acme")
    await run(services.message_post, session=cast["session"], actor=cast["junior"], body="Tried safe mode",
              kind=MessageKind.NOTE)
    with pytest.raises(ServiceError):  # refused and rolled back: its number is not used
        await run(services.fact_set, session=cast["session"], actor=cast["viewer"], key="os_version", value="x")
    await run(services.fix_propose, session=cast["session"], actor=cast["junior"], title="Repair Office")
    await run(services.session_resolve, session=cast["session"], actor=cast["junior"], resolution="Repaired")

    frames = [await watching.receive_json_from(timeout=5) for _ in range(4)]
    assert [f["seq"] for f in frames] == [before + 1, before + 2, before + 3, before + 4]
    stored = await run(lambda: type(cast["session"]).unscoped.get(pk=cast["session"].pk).event_seq)
    assert stored == before + 4
    await watching.disconnect()


async def test_each_session_counts_its_own_events():
    cast = await team()
    first = await subscribed(session_path(cast["session"]), cast["junior"])
    second = await subscribed(session_path(cast["second_session"]), cast["junior"])
    start_first = await run(lambda: type(cast["session"]).unscoped.get(pk=cast["session"].pk).event_seq)
    start_second = await run(lambda: type(cast["session"]).unscoped.get(pk=cast["second_session"].pk).event_seq)

    await run(services.fact_set, session=cast["session"], actor=cast["junior"], key="client", value="Acme")
    await run(services.fact_set, session=cast["session"], actor=cast["junior"], key="client", value="Globex")
    await run(services.fact_set, session=cast["second_session"], actor=cast["junior"], key="client", value="Initech")

    assert [(await first.receive_json_from(timeout=5))["seq"] for _ in range(2)] == [start_first + 1, start_first + 2]
    assert (await second.receive_json_from(timeout=5))["seq"] == start_second + 1
    await first.disconnect()
    await second.disconnect()


async def test_an_api_client_knows_where_a_sessions_changes_stand_from_rest_and_the_hello():
    """The REST session's ``event_seq`` and the session socket's ``session_seq`` are the same
    counter as ``session.changed``'s ``seq``: a client starting from either sees the next change
    as exactly one more, so a gap means a missed change."""
    from rest_framework.test import APIClient

    cast = await team()
    for value in ("Windows 11", "Windows 11 23H2"):
        await run(services.fact_set, session=cast["session"], actor=cast["junior"], key="os_version", value=value)

    def rest_event_seq():
        client = APIClient()
        client.force_authenticate(cast["senior"])
        return client.get(f"/api/v1/sessions/{cast['session'].pk}/").json()["event_seq"]

    from_rest = await database_sync_to_async(rest_event_seq)()
    communicator, connected, _ = await open_socket(session_path(cast["session"]), ORIGIN,
                                                   await token_header(cast["senior"]))
    assert connected
    hello = await communicator.receive_json_from(timeout=5)
    await run(services.fact_set, session=cast["session"], actor=cast["junior"], key="outlook", value="2021")
    event = await communicator.receive_json_from(timeout=5)
    assert (from_rest, hello["session_seq"], event["seq"]) == (2, 2, 3)
    await communicator.disconnect()
