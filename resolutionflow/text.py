"""Encoding user text for where it goes (docs/architecture.md#background-work).

``one_line``: for email subjects and other header values, where a line break would break the
message or add a header (a session title "Printer offline\nat front desk", an account name).
"""

import re
import unicodedata

SUBJECT_MAX = 200
_SPACES = re.compile(r"\s+")


def one_line(text: str, *, limit: int = SUBJECT_MAX) -> str:
    """``text`` as one header-safe line: line breaks, tabs and other control or format
    characters become single spaces, the ends are trimmed, and it is cut to ``limit``
    characters (with an ellipsis)."""
    cleaned = "".join(" " if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char
                      for char in text or "")
    cleaned = _SPACES.sub(" ", cleaned).strip()
    return cleaned if len(cleaned) <= limit else cleaned[:limit - 1].rstrip() + "…"
