"""Push: N queue sockets spread over 10 accounts; escalations raised at a steady rate; for each
frame, the time from the POST's return to the frame's arrival on every socket of the account.

    python bench/push.py [--quick] [--sockets 50,200,1000] [--rate 5] [--escalations 40]
                         [--layers memory,redis] [--redis-url redis://127.0.0.1:6380/7]

Layers: the in-memory channel layer with one server process, and Redis with two processes
(sockets and POSTs then land on either). Columns: frames delivered / expected, frames that
reached a socket of another account (must be 0), the time from the event (its
``occurred_at``, stamped on the server in the escalation's transaction, just before commit)
to the frame's arrival p50/p99/max, the 3 slowest events (each event's latest frame: a p99
made by a few late events, each late on every socket of its account, shows here), the time
from the POST's return to the frame (negative:
the frame came first), and /healthz p99 sampled during the same run on the same server.
SQLite database.

Reference: for each layer and socket count, the same scenario against a bare Channels app
(bench/bare_asgi.py: a consumer joining a group, a POST doing one ``group_send``) served the
same way (scripts/serve, the same processes and layer), right after the product's run.
Each row records the load average (1 minute) when it started.
"""

import argparse
import asyncio
import json
import resource
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Run, Server, loadavg, ms, prepare, table  # noqa: E402

ACCOUNTS = 10


async def listen(ws, account_index, arrivals, owner_of, cross, since_event, per_event):
    async for raw in ws:
        frame = json.loads(raw)
        handoff = (frame.get("handoff") or {}).get("id")
        if frame.get("event") == "hello" or not handoff:
            continue
        if owner_of.get(handoff, account_index) != account_index:
            cross.append(frame)
        arrivals.setdefault((handoff, frame.get("event")), []).append(time.perf_counter())
        if frame.get("event") == "handoff.created" and frame.get("occurred_at"):
            # the event's time on the server (same machine, same clock) to this frame's arrival
            since_event.append(time.time() - datetime.fromisoformat(frame["occurred_at"]).timestamp())
            per_event[handoff] = max(per_event.get(handoff, 0.0), since_event[-1])


async def scenario(server: Server, seeded: dict, sockets: int, rate: float, escalations: int,
                   bare: bool = False) -> dict:
    """``bare``: the server is bench/bare_asgi.py (one group per account index, no auth)."""
    accounts = seeded["accounts"]
    arrivals, owner_of, cross, posted, per_account, since_event = {}, {}, [], {}, [0] * ACCOUNTS, []
    per_event = {}  # handoff id -> its slowest frame (event -> frame, seconds)
    connections, listeners = [], []
    for i in range(sockets):
        index = i % ACCOUNTS
        token = accounts[index]["tokens"][1]
        path = f"/ws/bare/{index}/" if bare else "/ws/v1/queue/"
        # Not a browser: no Origin header (a foreign one is refused with 4403).
        ws = await websockets.connect(f"{server.ws_url}{path}", max_size=2**20,
                                      additional_headers={"Authorization": f"Token {token}"})
        await ws.recv()  # hello
        connections.append(ws)
        per_account[index] += 1
        listeners.append(asyncio.create_task(listen(ws, index, arrivals, owner_of, cross, since_event, per_event)))
    reference = Run()
    async with httpx.AsyncClient(timeout=60) as client:
        for n in range(escalations):
            index = n % ACCOUNTS
            account = accounts[index]
            session_id = account["free_sessions"][n // ACCOUNTS]
            target = f"/bare/publish/{index}/" if bare else f"/api/v1/sessions/{session_id}/handoff/"
            response = await client.post(f"{server.url}{target}", json={"urgency": "high", "note": "bench"},
                                         headers={"Authorization": f"Token {account['tokens'][0]}"})
            returned = time.perf_counter()
            assert response.status_code == 201, response.text[:300]
            handoff_id = response.json()["id"]
            owner_of[handoff_id] = index
            posted[handoff_id] = (returned, index)
            start = time.perf_counter()
            health = await client.get(f"{server.url}/healthz")
            reference.latencies.append(time.perf_counter() - start)
            reference.statuses.append(health.status_code)
            await asyncio.sleep(max(0.0, 1 / rate - (time.perf_counter() - returned)))
        # wait for the last frames: at most 5 s past the last POST
        deadline = time.perf_counter() + 5
        expected = sum(per_account[index] for _, index in posted.values())
        while time.perf_counter() < deadline:
            got = sum(len(arrivals.get((h, "handoff.created"), [])) for h in posted)
            if got >= expected:
                break
            await asyncio.sleep(0.05)
    for task in listeners:
        task.cancel()
    for ws in connections:
        await ws.close()
    latencies = [t - returned for h, (returned, _) in posted.items()
                 for t in arrivals.get((h, "handoff.created"), [])]
    return {"delivered": sum(len(arrivals.get((h, "handoff.created"), [])) for h in posted), "expected": expected,
            "cross": len(cross), "latencies": sorted(latencies), "reference": reference,
            "since_event": sorted(since_event), "slowest_events": sorted(per_event.values())[-3:][::-1]}


def pct(values, p):
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 and 200 sockets, 20 escalations")
    parser.add_argument("--sockets", default="50,200,1000")
    parser.add_argument("--rate", type=float, default=5, help="escalations per second")
    parser.add_argument("--escalations", type=int, default=40)
    parser.add_argument("--layers", default="memory,redis")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6380/7")
    args = parser.parse_args()
    counts = [50, 200] if args.quick else [int(n) for n in args.sockets.split(",")]
    escalations = 20 if args.quick else args.escalations
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # 1,000 sockets need more than 1,024 files

    headers = ["app", "layer", "processes", "sockets", "delivered", "cross-account", "event->frame p50 ms", "p99 ms",
               "max ms", "3 slowest events ms", "POST return->frame p50 ms", "p99 ms", "healthz p99 ms", "load"]
    rows = []
    for layer in args.layers.split(","):
        for sockets in counts:
            url, seeded = prepare("sqlite", f"push_{layer}_{sockets}", sessions=escalations, handoffs=0, live=0,
                                  engineers=2, accounts=ACCOUNTS)
            redis = args.redis_url if layer == "redis" else None
            for app in ("product", "bare"):
                if redis:
                    import redis as redis_client

                    redis_client.Redis.from_url(redis).flushdb()
                load_avg = loadavg()
                with Server(url, processes=2 if redis else 1, redis_url=redis,
                            app="bench.bare_asgi:application" if app == "bare" else None) as server:
                    result = asyncio.run(scenario(server, seeded, sockets, args.rate, escalations,
                                                  bare=app == "bare"))
                lat, since = result["latencies"], result["since_event"]
                rows.append([app, layer, 2 if redis else 1, sockets, f"{result['delivered']}/{result['expected']}",
                             result["cross"], ms(pct(since, 50)), ms(pct(since, 99)),
                             ms(since[-1] if since else float("nan")),
                             " ".join(ms(v) for v in result["slowest_events"]), ms(pct(lat, 50)), ms(pct(lat, 99)),
                             ms(result["reference"].pct(99)), load_avg])
                print(table(headers, rows[-1:]), file=sys.stderr, flush=True)
    print()
    print(table(headers, rows))


if __name__ == "__main__":
    main()
