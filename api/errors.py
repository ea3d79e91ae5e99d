"""Domain errors, and the one place where any error becomes application/problem+json."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import ClassVar

import structlog
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from api.request_context import current_request_id

PROBLEM_JSON = "application/problem+json"
TITLES = {
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

log = structlog.get_logger("api.errors")


class DomainError(Exception):
    """A request that cannot be served as asked; `detail` is written for the client."""

    status: ClassVar[int] = 400
    headers: ClassVar[dict[str, str]] = {}

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidRequest(DomainError):
    """The request is well-formed but breaks a rule the schema cannot express."""


class InvalidCursor(DomainError):
    """The cursor was not issued by this API for this very query."""


class NotFound(DomainError):
    """There is no such resource, or it has expired."""

    status = 404


class EmailTaken(DomainError):
    """Another live user already has this email."""

    status = 409


class AssetNotReady(DomainError):
    """The asset's file is not available: not uploaded yet, or rejected."""

    status = 409


class ConcurrentChange(DomainError):
    """The resource changed between reading and writing it; the write was not made."""

    status = 409


class VersionMismatch(DomainError):
    """The resource no longer has the entity tag the client made its change against."""

    status = 412


class ServiceUnavailable(DomainError):
    """AWS kept throttling or failing through the retries; nothing was changed."""

    status = 503
    headers = {"Retry-After": "1"}  # noqa: RUF012 - read-only


class IdempotencyKeyReused(DomainError):
    """The Idempotency-Key was first used with another request body."""

    status = 422


class RequestInProgress(DomainError):
    """A request with this Idempotency-Key is still being served."""

    status = 409


class HeadersTooLarge(DomainError):
    """A request header, or all of them together, exceeds the limit."""

    status = 431


class BodyTooLarge(DomainError):
    """The request body exceeds the configured maximum."""

    status = 413


def problem(
    status: int, detail: str, *, headers: Mapping[str, str] | None = None
) -> ConnexionResponse:
    """An RFC 9457 problem response carrying the current request id."""
    body = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "requestId": current_request_id(),
    }
    return ConnexionResponse(
        status_code=status,
        mimetype=PROBLEM_JSON,
        content_type=PROBLEM_JSON,
        body=json.dumps(body),
        headers=dict(headers or {}),
    )


def domain_error(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, DomainError)
    return problem(exc.status, exc.detail, headers=exc.headers)


def connexion_problem(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    # Connexion's own validation problems (400, 415, ...): keep status and detail.
    assert isinstance(exc, ProblemException)
    detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status, "Error")
    return problem(exc.status, detail, headers=exc.headers)


def routing_error_handler(
    allowed_methods: Callable[[str], list[str]],
) -> Callable[[ConnexionRequest, Exception], ConnexionResponse]:
    """Starlette's routing errors: unknown path (404), and wrong method (405) with an Allow
    header naming every method of the path (Starlette names only the first route's)."""

    def routing_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405:
            allow = ", ".join(allowed_methods(request.url.path))
            return problem(
                405, "This resource does not support this method.", headers={"Allow": allow}
            )
        if exc.status_code == 404:
            return problem(404, "There is no resource at this path.")
        return problem(exc.status_code, TITLES.get(exc.status_code, "Error"), headers=exc.headers)

    return routing_error


def unexpected_error(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    log.error("unhandled_error", error_type=type(exc).__name__, exc_info=exc)
    return problem(500, "The server could not complete the request.")


def error_handlers(
    allowed_methods: Callable[[str], list[str]],
) -> list[tuple[type[Exception], Callable[[ConnexionRequest, Exception], ConnexionResponse]]]:
    """Every error handler of the app, by the exception it renders."""
    return [
        (DomainError, domain_error),
        (ProblemException, connexion_problem),
        (HTTPException, routing_error_handler(allowed_methods)),
        (Exception, unexpected_error),
    ]
