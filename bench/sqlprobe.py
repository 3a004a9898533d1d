"""Queries and SQL time of one request, measured in-process against a seeded database
(DATABASE_URL): ``python bench/sqlprobe.py TOKEN PATH [REPEAT]`` prints
{"queries": n, "sql_ms": median ms of SQL per request, "sql_ms_min": the least (the
request's own cost when the machine is busy), "slowest": its SQL, "explain": [plans of
the slowest statement], "plans": [{"sql", "ms", "plan"} for every SELECT of the request]}.
A PATH outside /api/ is fetched as a page, signed in as the token's user (a session cookie).

``python bench/sqlprobe.py --cookie TOKEN`` prints a session cookie ("name=value") of the token's
user, for load runs against pages (the server must share SECRET_KEY and the database)."""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, os.environ.get("BENCH_APP_ROOT") or str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resolutionflow.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.services.api_tokens import api_token_authenticate  # noqa: E402


def rerun(sql: str, params) -> float:
    """Run one captured SELECT again with its own parameters and time it to its last row.
    (With the values written into the SQL instead, SQLite may plan differently: a partial
    index can match a literal but not a bound parameter.)"""
    if not sql.lstrip().upper().startswith("SELECT"):
        return 0.0
    with connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        return time.perf_counter() - start


class Recorder:
    """An execute wrapper keeping every statement with its parameters."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params))
        return execute(sql, params, many, context)


def user_of(token: str):
    return api_token_authenticate(token).user


def explain(sql: str, params) -> list[str]:
    if connection.vendor == "sqlite":
        prefix = "EXPLAIN QUERY PLAN "
    else:
        prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return [" ".join(str(c) for c in row) for row in cursor.fetchall()]


def main() -> None:
    if sys.argv[1] == "--cookie":
        from django.conf import settings

        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user_of(sys.argv[2]))
        print(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")
        return
    token, path = sys.argv[1], sys.argv[2]
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    if path.startswith("/api/"):
        client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
    else:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user_of(token))
    client.get(path)  # warm caches
    totals, counts, slowest, last = [], [], None, []
    for _ in range(repeat):
        recorder = Recorder()
        with connection.execute_wrapper(recorder):
            response = client.get(path)
        assert response.status_code == 200, response.content[:300]
        # Django times execute() only; SQLite does its work while rows are fetched. So each
        # SELECT is run again here, with its parameters, and timed to its last row.
        times = [(rerun(sql, params), sql, params) for sql, params in recorder.statements]
        totals.append(sum(t for t, _, _ in times) * 1000)
        counts.append(len(times))
        slowest = max(times, key=lambda item: item[0])
        last = times
    is_select = lambda sql: sql.lstrip().upper().startswith("SELECT")  # noqa: E731
    plan = explain(slowest[1], slowest[2]) if slowest and is_select(slowest[1]) else []
    plans = [{"sql": sql, "params": [str(p) for p in params or ()], "ms": round(seconds * 1000, 2),
              "plan": explain(sql, params)} for seconds, sql, params in last if is_select(sql)]
    print(json.dumps({"queries": max(counts), "sql_ms": statistics.median(totals), "sql_ms_min": min(totals),
                      "slowest": slowest[1][:300] if slowest else "", "explain": plan, "plans": plans}))


if __name__ == "__main__":
    main()
