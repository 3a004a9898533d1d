"""The pick-up race over real HTTP (docs/architecture.md#claims): many engineers press Pick Up at the same
moment against a threaded server; exactly one wins, every other one is told who did.

Runs against whatever database the suite runs on: a SQLite file locally, PostgreSQL in CI.
The live server is Django's threaded WSGI server (one thread per request, no cap); its
listen backlog of 10 is widened so the burst is not spread out by dropped SYNs and their
one-second retransmits.
"""

import json
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse

from accounts.services import api_token_create
from handoffs import services
from handoffs.models import EventKind, Handoff, HandoffEvent, HandoffStatus
from sessions_app.models import Message
from tests.factories import AccountFactory, UserFactory
from tests.sessions_app.factories import SessionFactory

CLAIMERS = 50
_no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture
def server(live_server):
    """The live server's base URL, by address (no localhost lookup), with room for a burst."""
    live_server.thread.httpd.socket.listen(256)  # Linux: listen() again resizes the backlog
    return f"http://127.0.0.1:{live_server.thread.port}"


def send(method, url, key, body=None):
    """An API request with a token; returns (status, parsed body or None). Never raises for
    HTTP errors: a non-JSON answer comes back as text, so a test can show it."""
    data = json.dumps(body or {}).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Token {key}", "Content-Type": "application/json", "Accept": "application/json"})
    try:
        with _no_proxy.open(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        with exc:
            raw = exc.read()
        try:
            return exc.code, json.loads(raw)
        except ValueError:
            return exc.code, raw.decode(errors="replace")[:500]


def post(url, key, body=None):
    return send("POST", url, key, body)


def burst(calls):
    """Run every call at the same moment (behind a barrier); returns their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture
def open_handoff(transactional_db):
    account = AccountFactory()
    owner = UserFactory(account=account, display_name="Jamie Junior")
    session = SessionFactory(account=account, owner=owner, title="Exchange rejects outside mail")
    return services.handoff_escalate(session=session, actor=owner, note="550 5.4.1", urgency="critical")


@pytest.mark.parametrize("attempt", range(3))
def test_fifty_concurrent_claims_over_http_have_exactly_one_winner(server, open_handoff, attempt):
    account = open_handoff.account
    engineers = [UserFactory(account=account, display_name=f"Senior {n}") for n in range(CLAIMERS)]
    keys = {user.pk: api_token_create(user=user, name="race").key for user in engineers}
    url = server + reverse("handoff-claim", args=[open_handoff.pk])

    started = time.perf_counter()
    results = burst([lambda key=keys[user.pk]: post(url, key) for user in engineers])
    elapsed = time.perf_counter() - started
    print(f"\n{CLAIMERS} concurrent claims over HTTP: {elapsed:.2f} s")  # shown with -s; never asserted

    statuses = [status for status, _ in results]
    assert not [s for s in statuses if s >= 500], results
    assert sorted(statuses) == [200] + [409] * (CLAIMERS - 1), statuses
    winner_body = next(body for status, body in results if status == 200)
    winner = next(user for user in engineers if str(user.pk) == winner_body["claimed_by"]["id"])
    for status, body in results:
        if status == 409:
            assert body["code"] == "already_claimed"
            assert body["claimed_by"] == {"id": str(winner.pk), "name": winner.name}
    handoff = Handoff.unscoped.get(pk=open_handoff.pk)
    assert (handoff.status, handoff.claimed_by_id) == (HandoffStatus.CLAIMED, winner.pk)
    assert HandoffEvent.unscoped.filter(handoff=handoff, kind=EventKind.CLAIMED).count() == 1
    assert Message.unscoped.filter(session=handoff.session, body__startswith="Picked up by").count() == 1


@pytest.fixture
def claimed(server, open_handoff):
    claimant = UserFactory(account=open_handoff.account, display_name="Sam Senior")
    services.handoff_claim(handoff=open_handoff, actor=claimant)
    return open_handoff, claimant, api_token_create(user=claimant).key


@pytest.mark.parametrize("attempt", range(2))
def test_the_claimants_concurrent_first_actions_stamp_once(server, claimed, attempt):
    handoff, claimant, key = claimed
    notes = server + reverse("session-message-list", kwargs={"session_id": handoff.session_id})
    facts = server + reverse("session-fact-list", kwargs={"session_id": handoff.session_id})
    calls = [lambda n=n: post(notes, key, {"kind": "note", "body": f"checking {n}"}) for n in range(10)]
    calls += [lambda n=n: post(facts, key, {"key": f"check_{n}", "value": "done"}) for n in range(10)]

    results = burst(calls)

    assert [status for status, _ in results] == [201] * len(calls), results
    handoff.refresh_from_db()
    assert handoff.first_action_at is not None and handoff.first_action_kind in ("note", "fact")
    assert HandoffEvent.unscoped.filter(handoff=handoff, kind=EventKind.FIRST_ACTION).count() == 1


def test_concurrent_return_and_resolve_close_it_once(server, claimed):
    handoff, claimant, key = claimed
    returning = server + reverse("handoff-return", args=[handoff.pk])
    resolving = server + reverse("handoff-resolve", args=[handoff.pk])
    calls = [lambda: post(returning, key, {"note": "Over to you: reboot the relay"}),
             lambda: post(resolving, key, {"resolution": "Fixed the connector"})] * 6

    results = burst(calls)

    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [409] * (len(calls) - 1), results
    assert {body["code"] for status, body in results if status == 409} == {"invalid_transition"}
    kinds = list(HandoffEvent.unscoped.filter(handoff=handoff).values_list("kind", flat=True))
    assert kinds.count(EventKind.FIRST_ACTION) == 1
    assert kinds.count(EventKind.RETURNED) + kinds.count(EventKind.RESOLVED) == 1
