"""The one Markdown renderer of ResolutionFlow: every place a message is shown (the session
transcript, the handoff-context transcript, the API's ``body_html``) goes through
``render_markdown``.

markdown-it-py parses CommonMark with raw HTML turned off (``<script>`` in a message is text),
and nh3 then sanitises what it produced against a short allow-list, so neither a parser quirk
nor a crafted link can put markup or script on a page: links keep only ``http``, ``https`` and
``mailto`` targets and open in a new tab with ``rel="noopener noreferrer nofollow"``; images
are not rendered (a message must not make the browser fetch anything).
"""

from functools import lru_cache

import linkify_it  # noqa: F401  (markdown-it's linkify rule needs it: a missing install fails here, not silently)
import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
LINK_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # "breaks": a single line break in a chat message is a line break, as the author saw it.
    # "linkify" (linkify-it-py): a pasted KB or vendor URL is a link without Markdown syntax;
    # the same scheme allow-list below applies to it.
    parser = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": True}).enable(
        ["table", "strikethrough", "linkify"])
    # Only URLs with a scheme, and email addresses: technicians write file names (install.sh,
    # readme.md, script.py) whose extensions are also top-level domains.
    parser.linkify.set({"fuzzy_link": False, "fuzzy_ip": False})
    return parser.disable("image")


def render_markdown(text: str | None) -> str:
    """A message body (Markdown) as safe HTML.

    ``text``: CommonMark, plus tables, ``~~strikethrough~~`` and bare ``http(s)://`` URLs and
    email addresses turned into links (not bare domains: ``install.sh`` is a file name);
    ``None`` or ``""`` gives ``""``.
    Returns an HTML fragment (block elements: ``<p>``, lists, ``<pre><code>``...) that is safe to
    put on a page as is: raw HTML in the text comes out escaped, links outside ``http``,
    ``https`` and ``mailto`` lose their target, every link gets ``rel="noopener noreferrer
    nofollow"`` and ``target="_blank"``. Raises nothing for any string.
    """
    if not text:
        return ""
    html = _parser().render(str(text))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=LINK_SCHEMES,
        link_rel=LINK_REL,
        set_tag_attribute_values={"a": {"target": "_blank"}},
        filter_style_properties={"text-align"},  # the alignment of table columns, nothing else
        strip_comments=True,
    ).strip()


def shorten(text: str | None, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters, cut at a word boundary with "…".

    Runs of whitespace become one space. Text that fits is returned whole; otherwise the last
    whole words that fit with the "…" are kept (a single word longer than ``limit`` is the
    only thing ever cut inside a word). For screens and storage limits only: text people copy
    out (the ticket note) is never shortened. Raises ``ValueError`` if ``limit`` < 2.
    """
    if limit < 2:
        raise ValueError("limit must leave room for a character and the ellipsis")
    text = " ".join(str(text or "").split())
    if len(text) <= limit:
        return text
    head = text[:limit - 1]
    if text[limit - 1] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:.-–—") + "…"
