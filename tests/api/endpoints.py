"""The API's endpoints as the URL router knows them, for tests that must cover every one."""

import re

from django.urls import URLPattern, URLResolver, get_resolver

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def api_endpoints():
    """Yield ``(url_name, method, view_class, action)`` for every routed API operation."""
    seen = set()
    for route, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith("api/v1/"):
            continue
        callback = pattern.callback
        view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        actions = getattr(callback, "actions", None)
        if actions:
            # DRF adds HEAD wherever GET is routed; it runs the same action.
            pairs = [(m, a) for m, a in actions.items() if m != "head"]
        else:
            pairs = [(m, None) for m in HTTP_METHODS if hasattr(view_class, m)]
        for method, action in pairs:
            key = (pattern.name, method)
            if key in seen or route.endswith(r"\.(?P<format>[a-z0-9]+)/?"):
                continue
            seen.add(key)
            yield pattern.name, method, view_class, action


# An id in a route: a regex group (``(?P<pk>...)``) or a path converter (``<uuid:session_id>``).
_ID_IN_ROUTE = re.compile(r"\(\?P<\w+>|<(?:\w+:)?\w+>")


def api_object_routes():
    """``(url_name, method)`` of every API operation on one object or inside one (its URL
    carries an id: ``users/<pk>/``, ``sessions/<session_id>/facts/``)."""
    found = set()
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("api/v1/") and _ID_IN_ROUTE.search(route.removesuffix(r"\.(?P<format>[a-z0-9]+)/?")):
            actions = getattr(pattern.callback, "actions", {}) or {}
            found |= {(pattern.name, m) for m in actions if m != "head"}
    return found
