"""The contract between sessions and whatever drafts the assistant's replies (docs/architecture.md#assistant).

Services build a ``ConversationContext`` from the session, call ``respond(context)`` (in
``sessions_app.assistant``), and save what comes back: the reply as an assistant message,
facts through the fact service, proposals as ``proposed`` fixes. Providers never touch the
database themselves except to read the account's flows and resolved sessions for matching.
"""

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class FixSummary:
    title: str
    status: str  # proposed / active / worked / failed / skipped
    outcome_note: str = ""


@dataclass(frozen=True)
class ConversationContext:
    account_id: object
    session_id: object
    mode: str
    title: str
    problem: str
    client_name: str
    # (kind, body) oldest first, the technician's new message excluded
    transcript: tuple[tuple[str, str], ...]
    facts: dict[str, str]
    fixes: tuple[FixSummary, ...]
    message: str  # what the technician just wrote


@dataclass(frozen=True)
class ProposedFix:
    title: str
    steps: str = ""  # one step per line
    source: str = ""  # where it came from: "Flow: VPN will not connect", "Session 2026-10-02 …"
    # What it points at, for links and tests: "flow:<slug>#<step id>", "session:<id>"; not stored.
    ref: str = ""


@dataclass
class AssistantReply:
    body: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    fixes: list[ProposedFix] = field(default_factory=list)
    provider: str = "builtin"
    # Shown to the technician as a system note, e.g. that the configured provider failed
    # and the built-in one answered instead.
    notice: str = ""
    # Fact keys the reply asks the technician for (the facts panel may offer inputs for them).
    asked: list[str] = field(default_factory=list)
    # Where the reply's suggestions came from, best first: "flow:<slug>#<step id>", "session:<id>".
    references: list[str] = field(default_factory=list)
    # The structured suggestions stored on the reply (``Message.suggestions``), best first:
    # {"kind": "flow"|"session", "id": str, "slug": str, "score": float, "why": str}.
    # Empty when nothing fits.
    suggestions: list[dict] = field(default_factory=list)


class AssistantProvider(Protocol):
    name: str

    def reply(self, context: ConversationContext) -> AssistantReply: ...


class ProviderError(Exception):
    """The provider could not answer (network, timeout, bad response); the caller falls back."""
