"""A provider for any server that speaks the OpenAI chat-completions API: OpenAI and Azure
OpenAI-style gateways, and local servers (Ollama, llama.cpp, vLLM, LM Studio) (docs/architecture.md#assistant).

The HTTP client is httpx (timeouts per operation, no redirects followed, the environment's
proxy never used for a local server). Everything that can go wrong (refused connection, timeout, HTTP error, a reply
that is not the JSON we asked for) becomes a ``ProviderError`` with a short reason that is
safe to show: it names the status or the cause, never the URL's credentials or the key.
"""

import json
import re
import ssl
from urllib.parse import urlsplit

import httpx

from .base import AssistantReply, ConversationContext, ProposedFix, ProviderError

MAX_RESPONSE_BYTES = 1_000_000
TRANSCRIPT_MESSAGES = 20
MESSAGE_CHARS = 4000  # per earlier message; the new one is sent whole (the service caps it at 10,000)
FACT_KEY_MAX, FACT_VALUE_MAX, MAX_FACTS = 64, 500, 30
TITLE_MAX, SOURCE_MAX, STEPS_MAX, MAX_FIXES = 200, 200, 5000, 5
REPLY_MAX = 20_000
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")

SYSTEM_PROMPT = """\
You are the troubleshooting assistant of ResolutionFlow, working beside an MSP technician who is fixing a \
client's IT problem while the clock runs (Outlook, Microsoft 365, VPN, printers, Windows, networks).
Each turn you receive the session (title, problem, client), the facts known so far, the fixes already \
proposed or tried with their outcomes, the recent conversation, the technician's new message, and sometimes \
runbooks and resolved sessions of this MSP that look related.
Do this:
1. Pick out the new facts the technician stated (OS and version, error codes, event IDs, host names, IP \
addresses, products, printer models, VPN clients). Only what they stated: never guess a fact.
2. Suggest the most useful next diagnostic step or fix, concrete enough to do now. Never propose a fix that \
is already listed; after a failed fix, propose the next best alternative. When a suggestion comes from one of \
the listed runbooks or resolved sessions, give it as the fix's "source".
3. Ask for the one to three missing facts that matter most.
Be brief and practical: plain text or light markdown.
Answer with one JSON object and nothing else:
{"reply": "<what the technician reads>", "facts": [{"key": "<snake_case: os, error_code, printer, ...>", \
"value": "<text>"}], "fixes": [{"title": "<short imperative>", "steps": "<one step per line>", \
"source": "<where it came from, or empty>"}]}
Limits: a fact key has at most 64 characters and a value at most 500; a fix title at most 200; at most 5 \
fixes. Use empty lists when there is nothing to add."""

ROLE_OF_KIND = {"tech": "user", "assistant": "assistant"}
FENCED = re.compile(r"```(?:json)?\s*(.*?)\s*```", re.DOTALL | re.IGNORECASE)
# Anything token-shaped in an error body is cut before it reaches a notice or a log line.
TOKEN_LIKE = re.compile(r"[A-Za-z0-9_\-*.]{24,}")


class OpenAICompatibleProvider:
    name = "openai"

    def __init__(self, *, base_url: str, model: str, api_key: str = "", timeout: float = 20.0,
                 references=None):
        self.base_url = (base_url or "").strip()
        self.model = (model or "").strip()
        self.api_key = api_key or ""
        self.timeout = timeout
        # Related runbooks and resolved sessions for the prompt; the built-in matcher by default.
        self.references = references

    def reply(self, context: ConversationContext) -> AssistantReply:
        if not self.base_url or not self.model:
            raise ProviderError("ASSISTANT_OPENAI_BASE_URL and ASSISTANT_OPENAI_MODEL must both be set")
        payload = {
            "model": self.model,
            "response_format": {"type": "json_object"},
            "temperature": 0.2,
        }
        self._suggestions: list[dict] = []
        payload["messages"] = self.messages(context)
        content = _content(self._post(payload))
        reply_text, facts, fixes = parse_content(content, default_source=f"Assistant ({self.model})")
        known = {key: value.casefold() for key, value in context.facts.items()}
        tried = {" ".join(fix.title.split()).casefold() for fix in context.fixes}
        return AssistantReply(
            body=reply_text,
            facts=[(key, value) for key, value in facts if known.get(key) != value.casefold()],
            fixes=[fix for fix in fixes if " ".join(fix.title.split()).casefold() not in tried],
            provider=self.name,
            # The same contract as the built-in assistant: what the prompt offered as fitting.
            suggestions=list(self._suggestions),
        )

    # ---- the request --------------------------------------------------------------------

    def messages(self, context: ConversationContext) -> list[dict]:
        messages = [{"role": "system", "content": SYSTEM_PROMPT}]
        for kind, body in context.transcript[-TRANSCRIPT_MESSAGES:]:
            role = ROLE_OF_KIND.get(kind, "user")
            text = body[:MESSAGE_CHARS]
            if kind not in ROLE_OF_KIND:
                text = f"[{'technician note' if kind == 'note' else 'session event'}] {text}"
            messages.append({"role": role, "content": text})
        messages.append({"role": "user", "content": self._turn(context)})
        return messages

    def _turn(self, context: ConversationContext) -> str:
        lines = [f"Session: {context.title}"]
        if context.client_name:
            lines.append(f"Client: {context.client_name}")
        if context.problem:
            lines.append(f"Problem: {context.problem[:MESSAGE_CHARS]}")
        lines.append("Known facts:")
        lines += [f"- {key}: {value}" for key, value in context.facts.items()] or ["- (none yet)"]
        lines.append("Fixes so far:")
        lines += [f"- [{fix.status}] {fix.title}" + (f" (outcome: {fix.outcome_note})" if fix.outcome_note else "")
                  for fix in context.fixes] or ["- (none yet)"]
        related = self._related(context)
        if related:
            lines.append("Related runbooks and resolved sessions of this MSP (use them if they fit):")
            lines += [f"- {note}" for note in related]
        lines += ["Technician's new message:", context.message]
        return "\n".join(lines)

    def _related(self, context: ConversationContext) -> list[str]:
        if self.references is not None:
            return list(self.references(context))
        from .builtin import references  # the built-in matcher imports the models

        notes, self._suggestions = references(context)
        return notes

    def _post(self, payload: dict) -> bytes:
        url = self.base_url.rstrip("/") + "/chat/completions"
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ProviderError("ASSISTANT_OPENAI_BASE_URL must be an http:// or https:// URL")
        headers = {"Accept": "application/json", "User-Agent": "ResolutionFlow-assistant"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        try:
            # A redirect would replay the key to wherever it points: an API endpoint does not
            # redirect, so a 3xx is reported as the error it is. Local servers are never
            # reached through the environment's proxy.
            with httpx.Client(timeout=self.timeout, follow_redirects=False,
                              trust_env=parts.hostname not in LOCAL_HOSTS) as client, \
                    client.stream("POST", url, json=payload, headers=headers) as response:
                raw = bytearray()
                for chunk in response.iter_bytes():
                    raw += chunk
                    if len(raw) > MAX_RESPONSE_BYTES:
                        raise ProviderError("the response is larger than 1 MB")
                if response.status_code >= 300:
                    raise ProviderError(
                        f"HTTP {response.status_code} {response.reason_phrase}{self._error_detail(bytes(raw))}".strip())
        except httpx.TimeoutException:
            raise ProviderError(f"no answer within {self.timeout:g} s") from None
        except httpx.ConnectError as exc:
            raise ProviderError(self._network_reason(exc)) from None
        except httpx.HTTPError as exc:
            raise ProviderError(f"connection failed ({type(exc).__name__})") from None
        return bytes(raw)

    def _network_reason(self, exc: httpx.ConnectError) -> str:
        cause = exc.__context__ or exc.__cause__
        while cause is not None and not isinstance(cause, OSError) and (cause.__context__ or cause.__cause__):
            cause = cause.__context__ or cause.__cause__
        text = str(exc).lower()
        if isinstance(cause, ConnectionRefusedError) or "refused" in text:
            return "connection refused"
        if isinstance(cause, ssl.SSLError) or "ssl" in text or "certificate" in text:
            return "TLS error (handshake failed)"
        if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
            return "host name not found"
        return "connection failed (ConnectError)"

    def _error_detail(self, raw: bytes) -> str:
        """The server's own error message (OpenAI: ``{"error": {"message": ...}}``), scrubbed."""
        try:
            body = json.loads(raw[:20_000] or b"{}")
        except (ValueError, UnicodeDecodeError):  # no body, or not JSON: the status says enough
            return ""
        error = body.get("error") if isinstance(body, dict) else None
        message = error.get("message") if isinstance(error, dict) else error
        if not isinstance(message, str) or not message.strip():
            return ""
        if self.api_key:
            message = message.replace(self.api_key, "…")
        message = TOKEN_LIKE.sub("…", " ".join(message.split()))
        return f": {message[:120]}"


# ---- the response -------------------------------------------------------------------------


def _content(raw: bytes) -> str:
    try:
        envelope = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ProviderError("the server's response is not JSON") from None
    try:
        content = envelope["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise ProviderError("the response has no choices[0].message.content") from None
    if isinstance(content, list):  # some servers send content as parts
        content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
    if not isinstance(content, str) or not content.strip():
        raise ProviderError("the model's answer is empty")
    return content


def _text(value, where: str, limit: int, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        value = "\n".join(item.strip() for item in value if item.strip())
    if not isinstance(value, str):
        raise ProviderError(f"malformed answer: {where} must be text")
    value = value.strip()
    if required and not value:
        raise ProviderError(f"malformed answer: {where} is empty")
    if len(value) > limit:
        raise ProviderError(f"malformed answer: {where} is longer than {limit} characters")
    return value


def _list(data: dict, name: str, limit: int) -> list:
    items = data.get(name) or []
    if not isinstance(items, list):
        raise ProviderError(f"malformed answer: {name} must be a list")
    if len(items) > limit:
        raise ProviderError(f"malformed answer: more than {limit} {name}")
    if not all(isinstance(item, dict) for item in items):
        raise ProviderError(f"malformed answer: each of {name} must be an object")
    return items


def parse_content(content: str, *, default_source: str = "") -> tuple[str, list[tuple[str, str]], list[ProposedFix]]:
    """The model's JSON answer, checked: ``{"reply", "facts": [{key, value}], "fixes": [{title, steps, source}]}``."""
    fenced = FENCED.search(content)
    text = fenced.group(1) if fenced else content.strip()
    try:
        data = json.loads(text)
    except ValueError:
        raise ProviderError("malformed answer: the model did not answer with JSON") from None
    if not isinstance(data, dict):
        raise ProviderError("malformed answer: expected a JSON object")
    reply = _text(data.get("reply"), "reply", REPLY_MAX)
    facts = []
    for index, item in enumerate(_list(data, "facts", MAX_FACTS)):
        key = "_".join(_text(item.get("key"), f"facts[{index}].key", FACT_KEY_MAX).lower().split())
        facts.append((key, _text(item.get("value"), f"facts[{index}].value", FACT_VALUE_MAX)))
    fixes = []
    for index, item in enumerate(_list(data, "fixes", MAX_FIXES)):
        fixes.append(ProposedFix(
            title=_text(item.get("title"), f"fixes[{index}].title", TITLE_MAX),
            steps=_text(item.get("steps"), f"fixes[{index}].steps", STEPS_MAX, required=False),
            source=_text(item.get("source"), f"fixes[{index}].source", SOURCE_MAX, required=False)
            or default_source[:SOURCE_MAX],
        ))
    return reply, facts, fixes
