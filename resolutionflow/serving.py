"""Serving past one process (docs/deploy.md): a bound on the database connections each server
process opens, and a 503 JSON answer when the database refuses or is out of connections.

Why a bound at all: under ASGI, Django runs every request's sync view in a thread of its own,
so every request in flight holds its own database connection. Without a bound, 100 concurrent
claims open 100 connections and PostgreSQL's ``max_connections`` (100, a few reserved) is
exceeded. ``ConnectionBudget`` lets at most ``DB_CONNECTIONS_PER_PROCESS`` HTTP requests run at
once in a process; the others wait their turn (up to ``REQUEST_QUEUE_TIMEOUT`` seconds) instead
of failing. Choose ``WEB_CONCURRENCY × DB_CONNECTIONS_PER_PROCESS`` (+ the worker's and the
sweep's connections) below the server's ``max_connections`` minus its reserved slots.
"""

import asyncio
import json
import logging

from django.conf import settings
from django.db import OperationalError
from django.http import JsonResponse
from django.utils.deprecation import MiddlewareMixin

logger = logging.getLogger(__name__)

UNAVAILABLE_CODE = "service_unavailable"


def unavailable_body(detail: str) -> dict:
    return {"detail": detail, "code": UNAVAILABLE_CODE}


class ConnectionBudget:
    """ASGI middleware: at most ``limit`` HTTP requests of this process run at once.

    ``limit``: requests (hence database connections) in flight; ``queue_timeout``: seconds a
    request waits for a turn before it is answered ``503 {"code": "service_unavailable"}`` with
    ``Retry-After: <retry_after>`` (seconds). Websockets and lifespan pass through untouched.
    """

    def __init__(self, app, *, limit: int, queue_timeout: float, retry_after: int):
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.app = app
        self.limit = limit
        self.queue_timeout = queue_timeout
        self.retry_after = retry_after
        self._semaphore: asyncio.Semaphore | None = None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self._semaphore is None:  # created on the server's event loop, not at import
            self._semaphore = asyncio.Semaphore(self.limit)
        try:
            await asyncio.wait_for(self._semaphore.acquire(), timeout=self.queue_timeout)
        except TimeoutError:
            logger.warning("Refused %s %s: %s requests in flight for %s s", scope.get("method"),
                           scope.get("path"), self.limit, self.queue_timeout)
            return await self._refuse(send)
        try:
            return await self.app(scope, receive, send)
        finally:
            self._semaphore.release()

    async def _refuse(self, send):
        body = json.dumps(unavailable_body("The server is busy. Try again shortly.")).encode()
        await send({"type": "http.response.start", "status": 503, "headers": [
            (b"content-type", b"application/json"),
            (b"retry-after", str(self.retry_after).encode()),
            (b"content-length", str(len(body)).encode()),
        ]})
        await send({"type": "http.response.body", "body": body})


def database_unavailable() -> JsonResponse:
    response = JsonResponse(unavailable_body("The database is unavailable. Try again shortly."), status=503)
    response["Retry-After"] = str(settings.RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware(MiddlewareMixin):
    """A database that refuses the connection (down, or out of connection slots) is a passing
    condition: pages and API alike answer ``503 {"detail", "code": "service_unavailable"}`` with
    ``Retry-After`` (seconds), never an HTML 500. It is still logged, as an error.

    Placed right after ``AuthenticationMiddleware``: ``process_request`` resolves the signed-in
    user (the first query of a cookie request) before any later middleware asks for it, where a
    refused connection can still be answered; ``process_exception`` covers the view's queries.
    """

    def process_request(self, request):
        try:
            request.user.is_authenticated  # noqa: B018 - forces the lazy session and user load
        except OperationalError:
            logger.exception("Database unavailable resolving the user of %s %s", request.method, request.path)
            return database_unavailable()
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError):
            logger.error("Database unavailable in %s %s", request.method, request.path, exc_info=exception)
            return database_unavailable()
        return None


def budgeted(app):
    """Wrap the HTTP application of ``asgi.py`` with the budget the settings choose."""
    return ConnectionBudget(app, limit=settings.DB_CONNECTIONS_PER_PROCESS,
                            queue_timeout=settings.REQUEST_QUEUE_TIMEOUT, retry_after=settings.RETRY_AFTER_SECONDS)
