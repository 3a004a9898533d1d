"""The OpenAI-compatible provider against a real local server speaking chat completions
(docs/architecture.md#assistant): nothing is patched between the provider and the socket. When the server fails,
is slow, or answers nonsense, ``respond`` falls back to the built-in assistant with a notice,
and the API key appears in neither the notice nor the log.
"""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sessions_app import assistant
from sessions_app.assistant import BuiltinProvider, ProviderError, respond
from sessions_app.assistant.base import ConversationContext, FixSummary
from sessions_app.assistant.openai_compat import parse_content
from sessions_app.flows.library import load_library

SECRET = "sk-test-SECRET-do-not-leak-1234567890"


class ChatServer:
    """What the fake server answers next, and every request it received."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status, self.body, self.delay, self.headers = 200, b"{}", 0.0, {}
        self.release = threading.Event()  # set at teardown so a sleeping handler ends at once
        self.url = ""

    def answer(self, content, *, status=200):
        envelope = {"id": "chatcmpl-1", "object": "chat.completion", "model": "local-model",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": content}}]}
        self.status, self.body = status, json.dumps(envelope).encode()

    def fail(self, status, body: dict | None = None, headers=None):
        self.status, self.body, self.headers = status, json.dumps(body or {}).encode(), headers or {}


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (the name http.server calls)
        chat = self.server.chat
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        chat.requests.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(raw)})
        if chat.delay:
            chat.release.wait(chat.delay)
        try:
            self.send_response(chat.status)
            for name, value in {"Content-Type": "application/json", **chat.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(chat.body)))
            self.end_headers()
            self.wfile.write(chat.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first: that is the point of the timeout test

    def log_message(self, format, *args):
        pass


class _Server(ThreadingHTTPServer):
    # Handler threads are joined on close, so none outlives its test.
    daemon_threads = False
    block_on_close = True

    def handle_error(self, request, client_address):
        pass


@pytest.fixture
def chat_server():
    chat = ChatServer()
    server = _Server(("127.0.0.1", 0), _Handler)
    server.chat = chat
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    chat.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield chat
    chat.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def configured(settings, chat_server):
    settings.ASSISTANT_PROVIDER = "openai"
    settings.ASSISTANT_OPENAI_BASE_URL = chat_server.url
    settings.ASSISTANT_OPENAI_MODEL = "local-model"
    settings.ASSISTANT_OPENAI_API_KEY = SECRET
    settings.ASSISTANT_OPENAI_TIMEOUT = 5
    return settings


def context_for(account, message="GlobalProtect says gateway not responding", **kwargs):
    values = dict(
        account_id=account.pk, session_id=None, mode="assistant", title="VPN down for Dana",
        problem="Dana cannot connect to the VPN from home.", client_name="Fabrikam Dental",
        transcript=(("tech", "Dana cannot connect from home"), ("assistant", "Which VPN client?"),
                    ("note", "called Dana at 9:10"), ("system", "Fix marked failed")),
        facts={"os": "Windows 11", "vpn_client": "GlobalProtect"},
        fixes=(FixSummary("Reinstall the VPN client", "failed", "same error"),),
        message=message,
    )
    values.update(kwargs)
    return ConversationContext(**values)


GOOD = {
    "reply": "The gateway certificate may have expired: check it from a browser.",
    "facts": [{"key": "error_text", "value": "gateway not responding"}, {"key": "os", "value": "Windows 11"}],
    "fixes": [{"title": "Check the gateway certificate", "steps": ["Open https://vpn.fabrikam.test", "Read the expiry"],
               "source": ""},
              {"title": "Reinstall the VPN client", "steps": "again", "source": "model"}],
}


def _assert_no_secret(reply, caplog):
    assert SECRET not in reply.notice and SECRET not in reply.body
    assert SECRET not in caplog.text


def test_a_good_answer_is_used_and_the_request_carries_the_session(configured, chat_server, northwind, caplog):
    chat_server.answer(json.dumps(GOOD))

    reply = respond(context_for(northwind))

    assert reply.provider == "openai" and reply.notice == ""
    assert reply.body == GOOD["reply"]
    assert reply.facts == [("error_text", "gateway not responding")]  # os is already known as Windows 11
    assert [fix.title for fix in reply.fixes] == ["Check the gateway certificate"]  # the failed one is not repeated
    assert reply.fixes[0].steps == "Open https://vpn.fabrikam.test\nRead the expiry"
    assert reply.fixes[0].source == "Assistant (local-model)"

    [request] = chat_server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == f"Bearer {SECRET}"
    body = request["json"]
    assert body["model"] == "local-model"
    assert body["response_format"] == {"type": "json_object"}
    messages = body["messages"]
    assert messages[0]["role"] == "system" and '"reply"' in messages[0]["content"]
    assert [m["role"] for m in messages[1:]] == ["user", "assistant", "user", "user", "user"]
    assert messages[3]["content"] == "[technician note] called Dana at 9:10"
    turn = messages[-1]["content"]
    assert turn.endswith("GlobalProtect says gateway not responding")
    assert "- os: Windows 11" in turn and "- vpn_client: GlobalProtect" in turn
    assert "- [failed] Reinstall the VPN client (outcome: same error)" in turn
    _assert_no_secret(reply, caplog)


def test_no_key_means_no_authorization_header_for_local_servers(configured, chat_server, northwind):
    configured.ASSISTANT_OPENAI_API_KEY = ""
    chat_server.answer(json.dumps(GOOD))

    respond(context_for(northwind))

    assert "Authorization" not in chat_server.requests[0]["headers"]


def test_the_prompt_includes_the_accounts_matching_runbooks(configured, chat_server, northwind):
    load_library()
    chat_server.answer(json.dumps(GOOD))

    respond(context_for(northwind, "L2TP vpn error 809 on windows 10", facts={}))

    turn = chat_server.requests[0]["json"]["messages"][-1]["content"]
    assert "Related runbooks and resolved sessions" in turn
    assert "Flow: VPN will not connect" in turn and "Allow L2TP/IPsec from behind NAT" in turn


def test_the_reply_carries_the_same_structured_suggestions_as_the_builtin_assistant(configured, chat_server,
                                                                                   northwind):
    load_library()
    chat_server.answer(json.dumps(GOOD))

    reply = respond(context_for(northwind, "L2TP vpn error 809 on windows 10", facts={}))

    assert reply.provider == "openai"
    assert [(s["kind"], s["slug"]) for s in reply.suggestions] == [("flow", "vpn-will-not-connect")]
    assert reply.suggestions[0]["why"] and reply.suggestions[0]["score"] > 0


def test_nothing_fitting_means_no_suggestions_from_the_configured_provider_either(configured, chat_server,
                                                                                  northwind):
    load_library()
    chat_server.answer(json.dumps(GOOD))

    reply = respond(context_for(northwind, "Outlook search finds nothing recent", title="Outlook search",
                                problem="Search in Outlook returns only old mail.", facts={}, transcript=()))

    assert reply.provider == "openai" and reply.suggestions == []


def test_an_answer_in_a_json_fence_is_accepted(configured, chat_server, northwind):
    chat_server.answer("Here you go:\n```json\n" + json.dumps(GOOD) + "\n```")

    reply = respond(context_for(northwind))

    assert reply.provider == "openai" and reply.body == GOOD["reply"]


@pytest.mark.parametrize(("content", "reason"), [
    ("Sure! Try restarting the router.", "malformed answer: the model did not answer with JSON"),
    (json.dumps(["not", "an", "object"]), "malformed answer: expected a JSON object"),
    (json.dumps({"facts": []}), "malformed answer: reply must be text"),
    (json.dumps({"reply": "ok", "facts": [{"key": "k" * 65, "value": "v"}]}),
     "malformed answer: facts[0].key is longer than 64 characters"),
    (json.dumps({"reply": "ok", "facts": [{"key": "os", "value": "v" * 501}]}),
     "malformed answer: facts[0].value is longer than 500 characters"),
    (json.dumps({"reply": "ok", "fixes": [{"title": "t" * 201}]}),
     "malformed answer: fixes[0].title is longer than 200 characters"),
    (json.dumps({"reply": "ok", "fixes": [{"title": f"fix {n}"} for n in range(6)]}),
     "malformed answer: more than 5 fixes"),
    (json.dumps({"reply": "ok", "fixes": "restart it"}), "malformed answer: fixes must be a list"),
])
def test_a_malformed_answer_falls_back_to_the_builtin_assistant_with_a_notice(
        configured, chat_server, northwind, caplog, content, reason):
    chat_server.answer(content)

    reply = respond(context_for(northwind))

    assert reply.provider == "builtin"
    port = chat_server.url.split(":")[2].split("/")[0]
    assert reply.notice == (f"The configured assistant (local-model at 127.0.0.1:{port}) did not answer ({reason}); "
                            "the built-in assistant answered instead.")
    assert reply.body  # the built-in assistant did answer
    _assert_no_secret(reply, caplog)


def test_a_server_error_falls_back_and_names_the_status(configured, chat_server, northwind, caplog):
    chat_server.fail(500, {"error": {"message": "model crashed"}})

    reply = respond(context_for(northwind))

    assert reply.provider == "builtin"
    assert "did not answer (HTTP 500 Internal Server Error: model crashed)" in reply.notice
    assert "HTTP 500" in caplog.text
    _assert_no_secret(reply, caplog)


def test_a_server_echoing_the_key_in_its_error_never_leaks_it(configured, chat_server, northwind, caplog):
    chat_server.fail(401, {"error": {"message": f"Incorrect API key provided: {SECRET}"}})

    reply = respond(context_for(northwind))

    assert "HTTP 401 Unauthorized: Incorrect API key provided:" in reply.notice
    _assert_no_secret(reply, caplog)


def test_a_redirect_is_not_followed_so_the_key_stays_put(configured, chat_server, northwind, caplog):
    chat_server.fail(307, headers={"Location": "http://127.0.0.1:9/elsewhere"})

    reply = respond(context_for(northwind))

    assert "HTTP 307" in reply.notice
    assert len(chat_server.requests) == 1
    _assert_no_secret(reply, caplog)


def test_a_slow_server_times_out_and_falls_back(configured, chat_server, northwind, caplog):
    configured.ASSISTANT_OPENAI_TIMEOUT = 0.5
    # The server holds a good answer for a minute (until teardown releases it): only giving up
    # at the timeout can make the reply the built-in one. No clock is read here.
    chat_server.delay = 60.0
    chat_server.answer(json.dumps(GOOD))

    reply = respond(context_for(northwind))

    assert not chat_server.release.is_set()  # the answer was still being held
    assert reply.provider == "builtin"
    assert "did not answer (no answer within 0.5 s)" in reply.notice
    _assert_no_secret(reply, caplog)


def test_a_refused_connection_falls_back(configured, northwind, caplog):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    configured.ASSISTANT_OPENAI_BASE_URL = f"http://127.0.0.1:{port}/v1"

    reply = respond(context_for(northwind))

    assert reply.provider == "builtin"
    assert f"(local-model at 127.0.0.1:{port}) did not answer (connection refused)" in reply.notice
    _assert_no_secret(reply, caplog)


def test_a_missing_base_url_falls_back_with_a_notice(configured, northwind, caplog):
    configured.ASSISTANT_OPENAI_BASE_URL = ""

    reply = respond(context_for(northwind))

    assert reply.provider == "builtin"
    assert "(local-model at an unset address)" in reply.notice
    assert "ASSISTANT_OPENAI_BASE_URL and ASSISTANT_OPENAI_MODEL must both be set" in reply.notice


def test_an_unexpected_error_is_logged_with_its_traceback_and_falls_back(configured, northwind, caplog, monkeypatch):
    class Broken:
        name, base_url, model = "openai", "https://api.example.test/v1", "gpt-x"

        def reply(self, context):
            raise RuntimeError("bug in a provider")

    monkeypatch.setattr(assistant, "get_provider", Broken)

    reply = respond(context_for(northwind))

    assert reply.provider == "builtin"
    assert "(gpt-x at api.example.test) did not answer (unexpected error, see the server log)" in reply.notice
    assert "RuntimeError: bug in a provider" in caplog.text


def test_the_builtin_assistants_own_failure_is_not_hidden(configured, chat_server, northwind, monkeypatch):
    chat_server.fail(500)

    def broken(self, context):
        raise RuntimeError("builtin bug")

    monkeypatch.setattr(BuiltinProvider, "reply", broken)

    with pytest.raises(RuntimeError, match="builtin bug"):
        respond(context_for(northwind))


def test_parse_content_reads_steps_given_as_a_list_and_normalises_fact_keys():
    reply, facts, fixes = parse_content(json.dumps({
        "reply": "ok", "facts": [{"key": "Office Build", "value": "16.0.17928.20156"}],
        "fixes": [{"title": "Repair Office", "steps": ["Quick Repair", "Online Repair"], "source": "Flow: Outlook"}],
    }))

    assert facts == [("office_build", "16.0.17928.20156")]
    assert fixes[0].steps == "Quick Repair\nOnline Repair" and fixes[0].source == "Flow: Outlook"


def test_provider_errors_are_plain_exceptions_with_a_reason():
    with pytest.raises(ProviderError, match="malformed answer: reply is empty"):
        parse_content('{"reply": "  "}')
