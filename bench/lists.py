"""Session History (GET /api/v1/sessions/, by page and by cursor, and the /sessions/ page) and
the queue (GET /api/v1/handoffs/) at growing table sizes, on SQLite and PostgreSQL, beside
/healthz on the same server.

    python bench/lists.py [--quick] [--sizes 2000,20000,200000] [--databases sqlite,postgres]
                          [--lists sessions,sessions-cursor,queue,history-page]
                          [--clients 20] [--requests 200] [--rounds 3] [--processes 2] [--explain]
                          [--json FILE]

For each database and size: a fresh database seeded with N sessions (two messages, a fact and a
fix each) and N escalations (20 live), served by scripts/serve; req/s and p50/p95/p99 at
``--clients`` concurrent clients over ``--rounds`` runs of ``--requests`` each, every run
bracketed by /healthz runs on the same server (the reference: all of them together), then
queries and SQL time per request measured in-process. Each row also gives the CPU milliseconds
per request of the server's processes (the list's and /healthz's; on PostgreSQL without the
database's own processes, on SQLite with its work, which runs inside the server) and of the load
client, which runs on the same cores: the server's CPU per request holds on a host whose speed drifts, and it
tells the list's own cost (list minus /healthz) apart from the serving stack's.
Each row carries the machine's load average (``/proc/loadavg``, 1 minute) when it was measured.
``--explain`` writes the plan of every SELECT of each list's request (EXPLAIN QUERY PLAN on
SQLite, EXPLAIN ANALYZE on PostgreSQL) at the largest size to bench/plans/<db>-<list>.txt.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PYTHON, ROOT, Server, load, loadavg, manage_env, merged, ms, prepare, table  # noqa: E402

# name: (path, which seeded token: 0 owns every session, 1 is a colleague)
LISTS = {
    "sessions": ("/api/v1/sessions/", 1),
    "sessions-cursor": ("/api/v1/sessions/?cursor=", 1),
    "queue": ("/api/v1/handoffs/", 1),
    "history-page": ("/sessions/", 0),  # the owner's "mine" tab: every seeded session
}
PLANS = Path(__file__).resolve().parent / "plans"


def cookie(url: str, token: str) -> str:
    out = subprocess.run([PYTHON, "bench/sqlprobe.py", "--cookie", token], cwd=ROOT, env=manage_env(url),
                         check=True, capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1]


def write_plans(kind: str, name: str, size: int, path: str, sql: dict) -> Path:
    PLANS.mkdir(exist_ok=True)
    target = PLANS / f"{kind}-{name}.txt"
    lines = [f"{kind}, GET {path}, {size:,} sessions and escalations in the account; "
             f"{sql['queries']} queries, {sql['sql_ms']:.1f} ms of SQL per request (median of 5)", ""]
    for number, item in enumerate(sql["plans"], 1):
        lines += [f"-- query {number}: {item['ms']} ms", item["sql"], "", *item["plan"], ""]
    target.write_text("\n".join(lines))
    return target


HEADERS = ["db", "list", "rows", "req/s", "healthz req/s", "ratio", "p50 ms", "p95 ms", "p99 ms", "healthz p95",
           "server CPU ms/req", "healthz server CPU", "client CPU ms/req", "queries", "SQL ms/req", "non-200", "load"]


def cpu_ms(run, attribute: str) -> str:
    """CPU milliseconds per request of a run (``server_cpu`` or ``client_cpu``)."""
    return f"{1000 * getattr(run, attribute) / max(1, len(run.latencies)):.2f}"


def probe(url: str, token: str, path: str) -> dict:
    done = subprocess.run([PYTHON, "bench/sqlprobe.py", token, path], cwd=ROOT, env=manage_env(url),
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"sqlprobe {path} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 and 20,000 rows, 100 requests each")
    parser.add_argument("--sizes", default="2000,20000,200000")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200, help="requests per run")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3,
                        help="list runs per list, each followed by a /healthz run (one more before the first)")
    parser.add_argument("--lists", default=",".join(LISTS))
    parser.add_argument("--explain", action="store_true",
                        help="write every SELECT's plan at the largest size to bench/plans/")
    parser.add_argument("--json", help="append each row as a JSON line to this file")
    args = parser.parse_args()
    sizes = [2000, 20000] if args.quick else [int(s) for s in args.sizes.split(",")]
    requests = 100 if args.quick else args.requests

    names = args.lists.split(",")
    rows, sql_by = [], {}
    for kind in args.databases.split(","):
        for size in sizes:
            url, seeded = prepare(kind, f"lists_{size}", sessions=size, handoffs=size, live=20, engineers=4)
            tokens = seeded["accounts"][0]["tokens"]
            with Server(url, processes=args.processes) as server:
                def healthz():
                    return load(f"{server.url}/healthz", concurrency=args.clients, requests=requests,
                                seconds=args.seconds, server=server)

                for name in names:
                    path, which = LISTS[name]
                    token = tokens[which]
                    if path.startswith("/api/"):
                        headers = {"Authorization": f"Token {token}"}
                    else:
                        headers = {"Cookie": cookie(url, token)}
                    load_avg = loadavg()
                    # The reference brackets the list, round by round (/healthz, list, /healthz, …):
                    # on a shared host whose speed drifts within minutes, one /healthz run per
                    # server made ratios that moved by 20 points between runs of the same code.
                    references, runs = [healthz()], []
                    for _ in range(args.rounds):
                        runs.append(load(f"{server.url}{path}", concurrency=args.clients, requests=requests,
                                         seconds=args.seconds, headers=headers, server=server))
                        references.append(healthz())
                    run, reference = merged(runs), merged(references)
                    sql = probe(url, token, path)
                    sql_by[(kind, name, size)] = sql["sql_ms"]
                    errors = run.count(lambda s: s != 200)
                    rows.append([kind, name, f"{size:,}", f"{run.rate:.0f}", f"{reference.rate:.0f}",
                                 f"{100 * run.rate / reference.rate:.0f}%", ms(run.p50), ms(run.pct(95)),
                                 ms(run.pct(99)), ms(reference.pct(95)), cpu_ms(run, "server_cpu"),
                                 cpu_ms(reference, "server_cpu"), cpu_ms(run, "client_cpu"), sql["queries"],
                                 f"{sql['sql_ms']:.1f}",
                                 errors, load_avg])
                    if args.json:
                        with open(args.json, "a") as out:
                            out.write(json.dumps(dict(zip(HEADERS, rows[-1], strict=True))) + "\n")
                    if args.explain and size == sizes[-1]:
                        print(f"plans: {write_plans(kind, name, size, path, sql)}", file=sys.stderr)
                    print(table(HEADERS, rows[-1:]), file=sys.stderr, flush=True)
    print()
    print(table(HEADERS, rows))
    print("\nSQL time per request, largest size / smallest (target <= 2x):")
    for kind in args.databases.split(","):
        for name in names:
            small, large = sql_by[(kind, name, sizes[0])], sql_by[(kind, name, sizes[-1])]
            print(f"  {kind} {name}: {large:.1f} ms / {small:.1f} ms = {large / small:.2f}x")


if __name__ == "__main__":
    main()
