"""The API's JSON parser: DRF's, bounded.

Python's ``json`` recurses once per nesting level, and PostgreSQL refuses NUL characters in
text and ``jsonb``; both would otherwise surface as server errors far from the request. A
body nested deeper than ``MAX_DEPTH`` is 400 ``too_deep``; a NUL character in any string
(key or value) is 400 ``null_character``.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Writes: their body is parsed before the action runs, even where it takes none
# (accounts.api.base), so the schema declares 413 and 415 for each (resolutionflow.api.schema).
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

MAX_DEPTH = 32


def check_json(value, *, max_depth: int = MAX_DEPTH) -> None:
    """Walk parsed JSON without recursion. Raises ``ParseError`` (code ``too_deep`` or
    ``null_character``)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise ParseError("Text must not contain NUL (\\u0000) characters.", code="null_character")
            continue
        if not isinstance(item, (dict, list)):
            continue
        if depth > max_depth:
            raise ParseError(f"JSON is nested more than {max_depth} levels deep.", code="too_deep")
        if isinstance(item, dict):
            stack.extend((key, depth) for key in item)
            stack.extend((child, depth + 1) for child in item.values())
        else:
            stack.extend((child, depth + 1) for child in item)


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON is nested more than {MAX_DEPTH} levels deep.", code="too_deep") from None
        check_json(data)
        return data
