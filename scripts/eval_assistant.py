#!/usr/bin/env python
"""``make eval``: the assistant on written tickets, through the API, on a fresh database.

Creates a temporary SQLite database, migrates it, seeds the demo pilot, then for each ticket
(one JSON object a line: id, title, problem, followup, expected_runbook (a flow slug or
``none``), expected_facts {key: value or [values]}) acts as the demo junior technician:
``POST /api/v1/sessions/`` with the title and problem (the opening), then
``POST /api/v1/sessions/{id}/messages/`` with the follow-up. It prints, per case file, the
table of issue 13 and the cases that missed.

Usage: ``scripts/eval_assistant.py [CASES.jsonl ...]`` (default: the shared dev set and
``evals/assistant/cases.jsonl``). ``--keep`` leaves the database for a look afterwards.

Measures:
- openings answered: the create response carries an assistant reply;
- facts from title/problem stored: expected facts whose value is written in the title or
  problem, stored as facts after the opening;
- top-1 runbook: the first flow suggestion (``suggestions`` of the reply) is the expected
  one; for ``none`` tickets, "given one" counts replies that suggest any runbook or propose
  a fix from one;
- fact recall/precision after the follow-up: over the fact keys the cases name (symptom and
  topic tags are the assistant's own labels, not a reader's facts, and are not counted);
- reply time: wall time of the create and message requests, p50/p95 in ms.
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CASES = [Path("/work/shared/assistant-eval/dev.jsonl"), ROOT / "evals/assistant/cases.jsonl"]
NOT_READER_FACTS = {"symptom", "keyword"}


def _values(value) -> list[str]:
    return value if isinstance(value, list) else [value]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").casefold()


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(", ") if part.strip()]


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _top_flow(reply: dict | None, slug_of_name: dict[str, str]) -> str:
    if not reply:
        return ""
    for suggestion in reply.get("suggestions") or []:
        if suggestion.get("kind") == "flow":
            return suggestion.get("slug") or ""
    if "suggestions" in reply:
        return ""
    # Replies from before structured suggestions named their source in the text.
    found = re.search(r"Source: Flow: (.+?)\. Matched", reply.get("body", ""))
    return slug_of_name.get(found.group(1), "?") if found else ""


def run_cases(path: Path, client, slug_of_name) -> dict:
    cases = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    keys = {key for case in cases for key in case["expected_facts"]}
    rows = []
    for case in cases:
        started = time.perf_counter()
        created = client.post("/api/v1/sessions/", {"mode": "assistant", "title": case["title"],
                                                    "problem": case["problem"]}, format="json")
        opening_ms = (time.perf_counter() - started) * 1000
        assert created.status_code == 201, created.content
        session = created.json()
        opening = (session.get("opening") or {}).get("reply")
        facts_open = client.get(f"/api/v1/sessions/{session['id']}/facts/").json()
        facts_open = facts_open.get("results", facts_open)
        started = time.perf_counter()
        posted = client.post(f"/api/v1/sessions/{session['id']}/messages/", {"body": case["followup"]},
                             format="json")
        follow_ms = (time.perf_counter() - started) * 1000
        assert posted.status_code == 201, posted.content
        posted = posted.json()
        facts = client.get(f"/api/v1/sessions/{session['id']}/facts/").json()
        facts = facts.get("results", facts)
        fixes = client.get(f"/api/v1/sessions/{session['id']}/fixes/").json()
        fixes = fixes.get("results", fixes)
        rows.append(_score(case, keys, opening, facts_open, posted.get("reply"), facts, fixes, slug_of_name,
                           (opening_ms, follow_ms)))
    return {"cases": rows}


def _stored(facts: list[dict]) -> dict[str, set[str]]:
    stored: dict[str, set[str]] = {}
    for fact in facts:
        stored.setdefault(fact["key"], set()).update(_norm(part) for part in _split(fact["value"]))
    return stored


def _score(case, keys, opening, facts_open, reply, facts, fixes, slug_of_name, times) -> dict:
    opening_text = _norm(f"{case['title']}\n{case['problem']}")
    expected = [(key, value) for key, values in case["expected_facts"].items() for value in _values(values)]
    in_opening = [(key, value) for key, value in expected if _norm(value) in opening_text]
    stored_open, stored = _stored(facts_open), _stored(facts)
    found = [(k, v) for k, v in expected if _norm(v) in stored.get(k, set())]
    extra = [(k, v) for k, values in stored.items() if k in keys and k not in NOT_READER_FACTS for v in values
             if _norm(v) not in {_norm(e) for ek, e in expected if ek == k}]
    flow_fixes = [fix for fix in fixes if (fix.get("source") or "").startswith("Flow:")]
    return {
        "id": case["id"], "expected": case["expected_runbook"],
        "answered": bool(opening and opening.get("body")),
        "open_expected": len(in_opening),
        "open_stored": sum(_norm(v) in stored_open.get(k, set()) for k, v in in_opening),
        "open_missed": [f"{k}={v}" for k, v in in_opening if _norm(v) not in stored_open.get(k, set())],
        "top_open": _top_flow(opening, slug_of_name), "top_follow": _top_flow(reply, slug_of_name),
        "flow_fixes": len(flow_fixes),
        "tp": len(found), "fn": [f"{k}={v}" for k, v in expected if (k, v) not in found],
        "fp": [f"{k}={v}" for k, v in extra], "n_expected": len(expected),
        "times": times,
    }


def report(name: str, result: dict) -> list[str]:
    rows = result["cases"]
    with_runbook = [row for row in rows if row["expected"] != "none"]
    without = [row for row in rows if row["expected"] == "none"]
    tp = sum(row["tp"] for row in rows)
    fn = sum(len(row["fn"]) for row in rows)
    fp = sum(len(row["fp"]) for row in rows)
    times = [t for row in rows for t in row["times"]]
    given = [row for row in without if row["top_open"] or row["top_follow"] or row["flow_fixes"]]

    def pct(part, whole):
        return f"{100 * part / whole:.0f} % ({part} of {whole})" if whole else "n/a"

    lines = [f"## {name}: {len(rows)} tickets ({len(with_runbook)} with a runbook, {len(without)} without)", "",
             "| measure | value |", "|---|---|",
             f"| openings answered (title + problem) | {pct(sum(r['answered'] for r in rows), len(rows))} |",
             f"| facts written only in the title or problem that are stored | "
             f"{sum(r['open_stored'] for r in rows)} of {sum(r['open_expected'] for r in rows)} |",
             f"| right runbook, top-1, after the opening | "
             f"{pct(sum(r['top_open'] == r['expected'] for r in with_runbook), len(with_runbook))} |",
             f"| right runbook, top-1, after the follow-up | "
             f"{pct(sum(r['top_follow'] == r['expected'] for r in with_runbook), len(with_runbook))} |",
             f"| no-runbook tickets given one anyway | {pct(len(given), len(without))} |",
             f"| fact recall / precision | {tp / (tp + fn) if tp + fn else 0:.2f} / "
             f"{tp / (tp + fp) if tp + fp else 0:.2f} |",
             f"| reply time p50 / p95 | {statistics.median(times):.0f} ms / {_percentile(times, 0.95):.0f} ms |",
             "", "Misses:"]
    for row in rows:
        problems = []
        if not row["answered"]:
            problems.append("opening not answered")
        if row["open_missed"]:
            problems.append("opening facts not stored: " + ", ".join(row["open_missed"]))
        if row["expected"] != "none":
            if row["top_open"] != row["expected"]:
                problems.append(f"after opening: {row['top_open'] or 'nothing'}")
            if row["top_follow"] != row["expected"]:
                problems.append(f"after follow-up: {row['top_follow'] or 'nothing'}")
        elif row in given:
            problems.append(f"given a runbook: opening {row['top_open'] or '-'}, follow-up {row['top_follow'] or '-'}"
                            f", flow fixes {row['flow_fixes']}")
        if row["fn"]:
            problems.append("facts missed: " + ", ".join(row["fn"]))
        if row["fp"]:
            problems.append("facts wrong: " + ", ".join(row["fp"]))
        if problems:
            lines.append(f"- {row['id']} (expects {row['expected']}): " + "; ".join(problems))
    return lines


def evaluate(paths: list[Path]) -> None:
    import django

    django.setup()
    from rest_framework.test import APIClient

    from accounts.models import User
    from sessions_app.demo import JAMIE
    from sessions_app.models import Flow

    client = APIClient(HTTP_HOST="127.0.0.1")
    client.force_authenticate(User.objects.get(email=JAMIE))
    slug_of_name = dict(Flow.unscoped.values_list("name", "slug"))
    for path in paths:
        if not path.exists():
            print(f"(no cases at {path})")
            continue
        print("\n".join(report(path.name, run_cases(path, client, slug_of_name))))
        print()


def main(argv: list[str]) -> int:
    keep = "--keep" in argv
    paths = [Path(arg) for arg in argv if not arg.startswith("--")] or DEFAULT_CASES
    if os.environ.get("RF_EVAL_CHILD"):
        evaluate(paths)
        return 0
    folder = Path(tempfile.mkdtemp(prefix="rf-eval-"))
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{folder}/eval.sqlite3",
           "DJANGO_SETTINGS_MODULE": "resolutionflow.settings", "LOG_LEVEL": "WARNING",
           "ASSISTANT_PROVIDER": "builtin"}
    env.pop("REDIS_URL", None)
    try:
        for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,  # noqa: S603
                           stdout=subprocess.DEVNULL)
        child = [sys.executable, __file__, *argv]  # our own interpreter and script
        return subprocess.run(child, cwd=ROOT, env={**env, "RF_EVAL_CHILD": "1"}).returncode  # noqa: S603
    finally:
        if keep:
            print(f"database kept at {folder}/eval.sqlite3")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
