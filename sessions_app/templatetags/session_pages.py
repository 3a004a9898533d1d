"""Template helpers of the session pages, and the "My open sessions" card of the home page
(an inclusion tag, so the home view in accounts needs to know nothing about sessions)."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .. import rules, selectors
from ..models import SessionStatus
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


_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])_(?=\S)(.+?)(?<=\S)_(?!\w)")
_CODE = re.compile(r"`([^`\n]+)`")
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,2}[.)]\s+(.*)$")


def _inline(text: str) -> str:
    text = escape(text)
    text = _CODE.sub(r"<code>\1</code>", text)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    return _ITALIC.sub(r"<em>\1</em>", text)


@register.filter
def chat_text(body: str) -> str:
    """The little markdown assistants write (bold, italics, `code`, bullet and numbered
    lists), as HTML; everything else is escaped, so a message can never inject markup."""
    blocks: list[str] = []
    list_tag, items = None, []

    def close_list():
        nonlocal list_tag, items
        if list_tag:
            blocks.append(f"<{list_tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{list_tag}>")
        list_tag, items = None, []

    paragraph: list[str] = []

    def close_paragraph():
        if paragraph:
            blocks.append("<p>" + "<br>".join(paragraph) + "</p>")
            paragraph.clear()

    for line in str(body).splitlines():
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        if bullet or numbered:
            close_paragraph()
            tag = "ul" if bullet else "ol"
            if list_tag != tag:
                close_list()
                list_tag = tag
            items.append(_inline((bullet or numbered).group(1)))
        elif not line.strip():
            close_list()
            close_paragraph()
        else:
            close_list()
            paragraph.append(_inline(line))
    close_list()
    close_paragraph()
    return mark_safe("".join(blocks))  # noqa: S308 - every piece of text went through escape()
