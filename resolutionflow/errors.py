"""The one mapping from typed service errors to HTTP (docs/architecture.md, "Errors").

The API's exception handler and every page view ask ``http_status`` for the status of a
refused request, so a ``Conflict`` is a 409 whether it came through ``/api/v1/`` or a form.
"""

from accounts.errors import Conflict, Gone, NotFound, NotPermitted, ServiceError

_STATUSES = ((NotFound, 404), (NotPermitted, 403), (Conflict, 409), (Gone, 410))


def http_status(exc: ServiceError) -> int:
    """400 for a plain ``ServiceError`` (invalid input), else the status of its kind."""
    for kind, status in _STATUSES:
        if isinstance(exc, kind):
            return status
    return 400
