"""The example TypeScript client (examples/typescript): its generated types are the server's
schema of today, it compiles with ``tsc --strict`` with no cast and no ``any``, and it drives
the escalation workflow against a live Daphne server (REST and the ticketed queue socket).
"""

import difflib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from accounts.models import ApiToken
from handoffs.models import Handoff, HandoffStatus
from sessions_app.models import Message, TroubleshootingSession
from tests.examples.node import TYPESCRIPT_EXAMPLE, node_tools, npm_installed, run
from tests.factories import PASSWORD
from tests.servers import DaphneServer

BIN = TYPESCRIPT_EXAMPLE / "node_modules" / ".bin"
REGENERATE = (
    "run `make example-client` (or `npm run generate` in examples/typescript) and commit "
    "examples/typescript/openapi.yaml and src/schema.d.ts"
)


@pytest.fixture(scope="module")
def installed():
    return npm_installed(TYPESCRIPT_EXAMPLE)


@pytest.fixture(scope="module")
def current_schema(installed, tmp_path_factory) -> Path:
    """The server's OpenAPI schema as of this checkout, written by the example's own script."""
    node, _ = node_tools()
    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    done = run([node, "scripts/write-schema.mjs", str(path)], cwd=TYPESCRIPT_EXAMPLE)
    assert done.returncode == 0, done.stdout + done.stderr
    return path


def assert_same_text(committed: Path, fresh: Path):
    committed_text, fresh_text = committed.read_text(), fresh.read_text()
    if committed_text != fresh_text:
        diff = "".join(list(difflib.unified_diff(committed_text.splitlines(True), fresh_text.splitlines(True),
                                                 str(committed), "current", n=1))[:80])
        pytest.fail(f"{committed.relative_to(TYPESCRIPT_EXAMPLE)} is stale: {REGENERATE}.\n{diff}")


def test_the_committed_schema_is_what_the_server_publishes_now(current_schema):
    assert_same_text(TYPESCRIPT_EXAMPLE / "openapi.yaml", current_schema)


def test_the_committed_types_are_generated_from_the_current_schema(current_schema, tmp_path):
    fresh = tmp_path / "schema.d.ts"
    done = run([str(BIN / "openapi-typescript"), str(current_schema), "--output", str(fresh)], cwd=TYPESCRIPT_EXAMPLE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert_same_text(TYPESCRIPT_EXAMPLE / "src" / "schema.d.ts", fresh)


@pytest.fixture(scope="module")
def compiled(installed) -> subprocess.CompletedProcess:
    """``tsc --strict -p .``: type-checks, then writes the JavaScript (only when there is no
    error: ``noEmitOnError``) to a folder of this process's own under examples/typescript/.build,
    so xdist workers never run a file another one is rewriting (Node finds the packages in
    examples/typescript/node_modules from there)."""
    out = TYPESCRIPT_EXAMPLE / ".build" / f"pytest-{os.getpid()}"
    done = run([str(BIN / "tsc"), "--strict", "-p", ".", "--outDir", str(out)], cwd=TYPESCRIPT_EXAMPLE)
    done.out_dir = out
    yield done
    shutil.rmtree(out, ignore_errors=True)


def test_the_client_compiles_with_tsc_strict(compiled):
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr


def test_the_client_has_no_cast_no_any_and_no_non_null_assertion(installed):
    done = run([str(BIN / "eslint"), "--max-warnings", "0", "."], cwd=TYPESCRIPT_EXAMPLE)
    assert done.returncode == 0, done.stdout + done.stderr


# One line per thing the lint must refuse, and the rule that refuses it.
FORBIDDEN = [
    ("const a = JSON.parse('1') as number;", "no-restricted-syntax"),
    ("const b = [1] as const;", "no-restricted-syntax"),
    ("const c = <number>JSON.parse('1');", "@typescript-eslint/consistent-type-assertions"),
    ("const d: any = 1;", "@typescript-eslint/no-explicit-any"),
    ("const e = [1].find(Boolean)!;", "@typescript-eslint/no-non-null-assertion"),
    ("const f = JSON.parse('1');", "@typescript-eslint/no-unsafe-assignment"),
]


def test_the_lint_refuses_casts_and_any(installed):
    """The check above can fail: the same lint, fed a file with a cast or an ``any`` on each
    line, refuses every one of them."""
    names = "abcdef"
    code = "\n".join(line for line, _ in FORBIDDEN) + f"\nconsole.log({', '.join(names)});\nexport {{}};\n"
    done = subprocess.run([str(BIN / "eslint"), "--format", "json", "--stdin", "--stdin-filename", "src/workflow.ts"],
                          input=code, cwd=TYPESCRIPT_EXAMPLE, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    [report] = json.loads(done.stdout)
    found = {(message["line"], message["ruleId"]) for message in report["messages"]}
    for number, (line, rule) in enumerate(FORBIDDEN, start=1):
        assert (number, rule) in found, f"line {number} ({line}) not refused by {rule}: {sorted(found)}"


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), DaphneServer() as server:
        yield server


@pytest.fixture(scope="module")
def built(compiled) -> Path:
    """The compiled workflow program."""
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    return compiled.out_dir / "workflow.js"


def run_workflow(built: Path, server: DaphneServer, *, tech, engineer, engineer_password=PASSWORD):
    node, _ = node_tools()
    env = {**os.environ, "RF_BASE_URL": server.url, "RF_TECH_EMAIL": tech.email, "RF_TECH_PASSWORD": PASSWORD,
           "RF_ENGINEER_EMAIL": engineer.email, "RF_ENGINEER_PASSWORD": engineer_password,
           "RF_EVENT_TIMEOUT_MS": "15000"}
    return run([node, str(built)], cwd=TYPESCRIPT_EXAMPLE, env=env, timeout=120)


@pytest.mark.django_db(transaction=True)
def test_the_workflow_escalates_receives_the_event_claims_acts_and_returns(built, server, engineer, senior):
    done = run_workflow(built, server, tech=engineer, engineer=senior)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}\n{server.output()}"
    summary = json.loads(done.stdout)

    handoff = Handoff.unscoped.get(pk=summary["handoff"]["id"])
    session = TroubleshootingSession.unscoped.get(pk=summary["session"]["id"])
    assert handoff.session_id == session.pk
    assert summary["event"]["event"] == "handoff.created"
    assert summary["event"]["seq"] == handoff.events.get(kind="created").seq
    assert summary["event"]["seq"] > summary["event"]["hello_seq"]
    assert 0 < summary["ticket_expires_in"] <= 60

    # The database after the run: returned to the technician by the senior, with the note.
    assert handoff.status == HandoffStatus.RETURNED
    assert handoff.requested_by == engineer and handoff.handed_off_by == engineer
    assert handoff.claimed_by is None or handoff.claimed_by == senior
    assert handoff.first_claimed_by == senior
    assert handoff.first_action_by == senior and handoff.first_action_at is not None
    assert handoff.closing_note == summary["handoff"]["closing_note"] != ""
    kinds = [event.kind for event in handoff.events.order_by("seq")]
    assert kinds == ["created", "claimed", "first_action", "returned"]
    # The events feed after the hello's seq, as a reconnecting client reads it, has them all.
    assert summary["feed"] == [f"handoff.{kind}" for kind in kinds]
    # It claimed because the escalation offered it; once held, returning is offered instead.
    assert "claim" in summary["actions"]["before_claim"]
    assert "return" in summary["actions"]["after_claim"] and "claim" not in summary["actions"]["after_claim"]
    assert session.owner == engineer and session.status == summary["session"]["status"] == "active"
    assert summary["handoff"] == {"id": str(handoff.pk), "status": "returned", "closing_note": handoff.closing_note,
                                  "claimed_by": senior.email, "first_action_kind": handoff.first_action_kind}

    tech_message = Message.unscoped.get(pk=summary["technician_message"])
    senior_message = Message.unscoped.get(pk=summary["engineer_message"])
    assert (tech_message.session_id, tech_message.author, tech_message.kind) == (session.pk, engineer, "tech")
    assert (senior_message.session_id, senior_message.author, senior_message.kind) == (session.pk, senior, "tech")
    assert tech_message.created_at < handoff.created_at < senior_message.created_at

    # It leaves no usable credentials behind.
    tokens = ApiToken.objects.filter(user__in=[engineer, senior])
    assert tokens.count() == 2 and not tokens.filter(revoked_at=None).exists()


@pytest.mark.django_db(transaction=True)
def test_the_workflow_exits_non_zero_says_which_step_failed_and_revokes_what_it_got(built, server, engineer, senior):
    done = run_workflow(built, server, tech=engineer, engineer=senior, engineer_password="not-the-password")
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout == ""
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["ok"] is False
    assert report["step"] == f"log in as {senior.email}"
    assert report["status"] == 400 and report["body"]["code"] == "invalid_credentials"
    # The technician's login had worked: its token is revoked on the way out; nothing else happened.
    [token] = ApiToken.objects.filter(user=engineer)
    assert token.revoked_at is not None
    assert not ApiToken.objects.filter(user=senior).exists()
    assert not TroubleshootingSession.unscoped.filter(owner=engineer).exists()
