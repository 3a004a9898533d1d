"""Template helpers of the session pages, and the "My open sessions" card of the home page
(an inclusion tag, so the home view in accounts needs to know nothing about sessions)."""

from django import template
from django.utils.safestring import mark_safe

from .. import rules, selectors
from ..models import SessionStatus
from ..rendering import render_markdown, shorten
from ..views.common import resume_url

register = template.Library()
register.filter("resume_url", resume_url)

ABBREVIATIONS = {"os", "ip", "mac", "unc", "kb", "vpn", "dns", "dhcp", "mfa", "url", "id"}


@register.filter
def fact_label(key: str) -> str:
    """``os_version`` → "OS version", ``ip_address`` → "IP address"."""
    words = [word.upper() if word in ABBREVIATIONS else word for word in str(key).split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


@register.inclusion_tag("sessions_app/_home_sessions.html", takes_context=True)
def my_open_sessions(context, limit=6):
    user = context["request"].user
    if not user.is_authenticated or user.account_id is None:
        return {"show": False}
    sessions = selectors.session_list(account=user.account).filter(
        owner=user, status__in=[SessionStatus.ACTIVE, SessionStatus.ESCALATED])[:limit]
    return {"show": True, "sessions": sessions, "can_start": rules.may_start_session(user),
            "request": context["request"], "user": user}


# On screen a long title is cut on a word boundary; the element's title attribute holds it whole.
SCREEN_TITLE_MAX = 90


@register.filter(name="shorten")
def shorten_filter(text: str, limit: int = SCREEN_TITLE_MAX) -> str:
    """``{{ session.title|shorten }}``: at most ``limit`` characters (90 by default), cut on a
    word boundary with "…" (``sessions_app.rendering.shorten``). Put the whole text in the
    element's ``title`` attribute. Never for text people copy out."""
    return shorten(text, int(limit))


@register.filter
def chat_text(body: str) -> str:
    """A message body as HTML, through the one Markdown renderer (``sessions_app.rendering``):
    markdown-it-py with raw HTML off, then nh3, so a message can never inject markup."""
    return mark_safe(render_markdown(body))  # noqa: S308 - sanitised by nh3 in render_markdown
