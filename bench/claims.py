"""Claim races: K engineers claim the same escalation at once, over 20 escalations, on SQLite
and PostgreSQL, beside bursts of K concurrent /healthz requests on the same server.

    python bench/claims.py [--quick] [--ks 10,50,100] [--escalations 20] [--databases sqlite,postgres]
                           [--processes 2]

Per K: winners per escalation (must be exactly 1), 409s, 5xx (must be 0; their bodies are
shown), other statuses, claim p50/p99 and /healthz p99 in bursts of the same size.
"""

import argparse
import asyncio
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Run, Server, loadavg, ms, prepare, table  # noqa: E402


async def burst(client: httpx.AsyncClient, requests: list[tuple[str, str, dict]]) -> list[tuple[int, float, str]]:
    """Send all requests at once (method, url, headers); (status, seconds, body head) each."""
    gate = asyncio.Event()

    async def one(method, url, headers):
        await gate.wait()
        start = time.perf_counter()
        response = await client.request(method, url, headers=headers)
        return response.status_code, time.perf_counter() - start, response.text[:160]

    tasks = [asyncio.create_task(one(*r)) for r in requests]
    await asyncio.sleep(0)  # every task waits at the gate
    gate.set()
    return await asyncio.gather(*tasks)


async def race(server: Server, tokens: list[str], k: int, escalations: int) -> tuple[Run, Run, list[int], list[str]]:
    limits = httpx.Limits(max_connections=k + 5, max_keepalive_connections=k + 5)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:
        owner = {"Authorization": f"Token {tokens[0]}"}
        queue = (await client.get(f"{server.url}/api/v1/handoffs/?page_size=100", headers=owner)).json()["results"]
        open_ids = [h["id"] for h in queue if h["status"] == "open"][:escalations]
        claims, reference, winners, bodies = Run(), Run(), [], []
        for handoff_id in open_ids:
            answers = await burst(client, [("POST", f"{server.url}/api/v1/handoffs/{handoff_id}/claim/",
                                            {"Authorization": f"Token {token}"}) for token in tokens[1:k + 1]])
            winners.append(sum(1 for status, _, _ in answers if status == 200))
            for status, seconds, body in answers:
                claims.latencies.append(seconds)
                claims.statuses.append(status)
                if status >= 500:
                    bodies.append(body)
            for status, seconds, _ in await burst(client, [("GET", f"{server.url}/healthz", {})] * k):
                reference.latencies.append(seconds)
                reference.statuses.append(status)
        return claims, reference, winners, bodies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="K = 10 and 50 over 5 escalations")
    parser.add_argument("--ks", default="10,50,100")
    parser.add_argument("--escalations", type=int, default=20)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    ks = [10, 50] if args.quick else [int(k) for k in args.ks.split(",")]
    escalations = 5 if args.quick else args.escalations

    rows, failed = [], False
    for kind in args.databases.split(","):
        for k in ks:
            url, seeded = prepare(kind, f"claims_{k}", sessions=escalations, handoffs=0, live=escalations,
                                  engineers=k + 1)
            load_avg = loadavg()
            with Server(url, processes=args.processes) as server:
                claims, reference, winners, bodies = asyncio.run(
                    race(server, seeded["accounts"][0]["tokens"], k, escalations))
            statuses = Counter(claims.statuses)
            errors = claims.count(lambda s: s >= 500)
            other = sum(n for s, n in statuses.items() if s not in (200, 409) and s < 500)
            failed |= errors > 0 or any(w != 1 for w in winners) or len(winners) != escalations
            rows.append([kind, k, len(winners), f"{min(winners)}–{max(winners)}", statuses[409], errors, other,
                         ms(claims.p50), ms(claims.pct(99)), ms(reference.pct(99)),
                         f"{claims.pct(99) / reference.pct(99):.1f}x", load_avg])
            for body in sorted(set(bodies))[:3]:
                print(f"  5xx body ({kind}, K={k}): {body!r}", file=sys.stderr)
            print(table(["db", "K", "escalations", "winners each", "409", "5xx", "other", "p50 ms", "p99 ms",
                         "healthz p99 ms", "p99 ratio", "load"], rows[-1:]), file=sys.stderr, flush=True)
    print()
    print(table(["db", "K", "escalations", "winners each", "409", "5xx", "other", "p50 ms", "p99 ms",
                 "healthz p99 ms", "p99 ratio", "load"], rows))
    print("\nexactly one winner and no 5xx everywhere:", "no" if failed else "yes")


if __name__ == "__main__":
    main()
