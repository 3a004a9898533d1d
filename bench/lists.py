"""Session History (GET /api/v1/sessions/) and the queue (GET /api/v1/handoffs/) at growing
table sizes, on SQLite and PostgreSQL, beside /healthz on the same server.

    python bench/lists.py [--quick] [--sizes 2000,20000,200000] [--databases sqlite,postgres]
                          [--clients 20] [--requests 400] [--processes 2] [--explain]

For each database and size: a fresh database seeded with N sessions (two messages, a fact and a
fix each) and N escalations (20 live), served by scripts/serve; req/s and p50/p95/p99 at
``--clients`` concurrent clients, then queries and SQL time per request measured in-process.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PYTHON, ROOT, Server, load, manage_env, ms, prepare, table  # noqa: E402

LISTS = {"sessions": "/api/v1/sessions/", "queue": "/api/v1/handoffs/"}


def probe(url: str, token: str, path: str) -> dict:
    out = subprocess.run([PYTHON, "bench/sqlprobe.py", token, path], cwd=ROOT, env=manage_env(url),
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 and 20,000 rows, 100 requests each")
    parser.add_argument("--sizes", default="2000,20000,200000")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--explain", action="store_true", help="print the plan of each list's slowest statement")
    args = parser.parse_args()
    sizes = [2000, 20000] if args.quick else [int(s) for s in args.sizes.split(",")]
    requests = 100 if args.quick else args.requests

    rows, sql_by = [], {}
    for kind in args.databases.split(","):
        for size in sizes:
            url, seeded = prepare(kind, f"lists_{size}", sessions=size, handoffs=size, live=20, engineers=4)
            token = seeded["accounts"][0]["tokens"][1]
            headers = {"Authorization": f"Token {token}"}
            with Server(url, processes=args.processes) as server:
                reference = load(f"{server.url}/healthz", concurrency=args.clients, requests=requests,
                                 seconds=args.seconds)
                for name, path in LISTS.items():
                    run = load(f"{server.url}{path}", concurrency=args.clients, requests=requests,
                               seconds=args.seconds, headers=headers)
                    sql = probe(url, token, path)
                    sql_by[(kind, name, size)] = sql["sql_ms"]
                    errors = run.count(lambda s: s != 200)
                    rows.append([kind, name, f"{size:,}", f"{run.rate:.0f}", f"{reference.rate:.0f}",
                                 f"{100 * run.rate / reference.rate:.0f}%", ms(run.p50), ms(run.pct(95)),
                                 ms(run.pct(99)), ms(reference.pct(95)), sql["queries"], f"{sql['sql_ms']:.1f}",
                                 errors])
                    if args.explain:
                        print(f"--- {kind} {name} {size:,}: {sql['slowest']}\n" + "\n".join(sql["explain"]))
                    print(table(["db", "list", "rows", "req/s", "healthz req/s", "ratio", "p50 ms", "p95 ms",
                                 "p99 ms", "healthz p95", "queries", "SQL ms/req", "non-200"], rows[-1:]),
                          file=sys.stderr, flush=True)
    print()
    print(table(["db", "list", "rows", "req/s", "healthz req/s", "ratio", "p50 ms", "p95 ms", "p99 ms",
                 "healthz p95", "queries", "SQL ms/req", "non-200"], rows))
    print("\nSQL time per request, largest size / smallest (target <= 2x):")
    for kind in args.databases.split(","):
        for name in LISTS:
            small, large = sql_by[(kind, name, sizes[0])], sql_by[(kind, name, sizes[-1])]
            print(f"  {kind} {name}: {large:.1f} ms / {small:.1f} ms = {large / small:.2f}x")


if __name__ == "__main__":
    main()
