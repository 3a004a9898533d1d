"""Typed application errors raised by services (docs/architecture.md, "Errors").

A service says *what* went wrong: a human ``detail``, a machine ``code`` and, where a client
needs more to act, ``extra`` fields (``{"claimed_by": …}``). It never picks an HTTP status:
``resolutionflow.errors.http_status`` is the one mapping at the edge, used by the API's
exception handler and by the pages alike.

- ``ServiceError`` itself: the request is not valid (bad input, a missing note).
- ``NotFound``: no such object for this user (another account's objects are "not found").
- ``NotPermitted``: the user may not do this (a rule in a ``rules.py`` said no).
- ``Conflict``: the object's current state refuses it (a lost race, a closed session).
- ``Gone``: it existed but can no longer be used (an expired or revoked invitation).
"""


class ServiceError(Exception):
    """A refused request: ``detail`` (for people), ``code`` (for programs), ``extra`` (more fields)."""

    def __init__(self, detail: str, *, code: str, extra: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.extra = extra or {}


class NotFound(ServiceError):
    """No such object for this user."""


class NotPermitted(ServiceError):
    """A rule refused this user this action."""


class Conflict(ServiceError):
    """The object's current state refuses the change."""


class Gone(ServiceError):
    """The object existed but is no longer usable."""
