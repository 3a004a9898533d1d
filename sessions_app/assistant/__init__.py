"""The assistant (docs/architecture.md#assistant): ``respond(context)`` answers a technician's message.

Settings (read at each call, so they can change without a restart and tests can override
them; every one has a default, so nothing needs adding to run offline):

- ``ASSISTANT_PROVIDER``: ``"builtin"`` (default) or ``"openai"``.
- ``ASSISTANT_OPENAI_BASE_URL``: e.g. ``https://api.openai.com/v1`` or ``http://localhost:11434/v1``.
- ``ASSISTANT_OPENAI_MODEL``: the model name the server expects.
- ``ASSISTANT_OPENAI_API_KEY``: sent as a bearer token; leave empty for local servers.
- ``ASSISTANT_OPENAI_TIMEOUT``: seconds per network operation, default 20.

When the configured provider fails, the built-in one answers and the reply carries a
``notice`` saying so, which the session shows: a technician mid-call gets an answer either
way and knows which one it is.
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings

from .base import AssistantProvider, AssistantReply, ConversationContext, FixSummary, ProposedFix, ProviderError
from .builtin import BuiltinProvider
from .openai_compat import OpenAICompatibleProvider

__all__ = [
    "AssistantProvider", "AssistantReply", "BuiltinProvider", "ConversationContext", "FixSummary",
    "OpenAICompatibleProvider", "ProposedFix", "ProviderError", "get_provider", "respond",
]

logger = logging.getLogger("sessions_app.assistant")

DEFAULT_TIMEOUT = 20.0


def _timeout() -> float:
    raw = getattr(settings, "ASSISTANT_OPENAI_TIMEOUT", DEFAULT_TIMEOUT)
    try:
        timeout = float(raw)
    except (TypeError, ValueError):
        logger.warning("ASSISTANT_OPENAI_TIMEOUT=%r is not a number; using %s s", raw, DEFAULT_TIMEOUT)
        return DEFAULT_TIMEOUT
    return timeout if timeout > 0 else DEFAULT_TIMEOUT


def get_provider() -> AssistantProvider:
    name = (getattr(settings, "ASSISTANT_PROVIDER", "builtin") or "builtin").strip().lower()
    if name == "openai":
        return OpenAICompatibleProvider(
            base_url=getattr(settings, "ASSISTANT_OPENAI_BASE_URL", "") or "",
            model=getattr(settings, "ASSISTANT_OPENAI_MODEL", "") or "",
            api_key=getattr(settings, "ASSISTANT_OPENAI_API_KEY", "") or "",
            timeout=_timeout(),
        )
    if name != "builtin":
        # A typo in the environment should not take the assistant down; say so loudly in the log.
        logger.error("ASSISTANT_PROVIDER=%r is unknown (use builtin or openai); the built-in assistant answers", name)
    return BuiltinProvider()


def _where(provider) -> str:
    """"gpt-4o-mini at api.openai.com": names the server without ever echoing the URL,
    which could carry credentials (a key in a query string, user:password@host)."""
    parts = urlsplit(getattr(provider, "base_url", "") or "")
    host = parts.hostname or "an unset address"
    if parts.port:
        host = f"{host}:{parts.port}"
    model = getattr(provider, "model", "") or "no model set"
    return f"{model} at {host}"


def respond(context: ConversationContext) -> AssistantReply:
    """The configured provider's reply, or the built-in one's with a notice when it fails.

    The built-in provider's own errors propagate: there is nothing left to fall back to, and
    a bug there must surface rather than be papered over.
    """
    provider = get_provider()
    if isinstance(provider, BuiltinProvider):
        return provider.reply(context)
    try:
        return provider.reply(context)
    except ProviderError as exc:
        reason = str(exc)
        logger.warning("assistant provider %s (%s) failed: %s", provider.name, _where(provider), reason)
    except Exception:
        reason = "unexpected error, see the server log"
        logger.exception("assistant provider %s (%s) raised", provider.name, _where(provider))
    reply = BuiltinProvider().reply(context)
    short = reason if len(reason) <= 160 else reason[:159] + "…"
    reply.notice = (f"The configured assistant ({_where(provider)}) did not answer ({short}); "
                    "the built-in assistant answered instead.")
    reply.provider = "builtin"
    return reply
