"""The one place where any error becomes application/problem+json (RFC 9457)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

import structlog
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from api.rules.errors import DomainError, ServiceUnavailable, Unauthenticated
from api.web.identity import NO_TOKEN
from api.web.messages import bounded
from api.web.request_context import current_request_id

PROBLEM_JSON = "application/problem+json"
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

log = structlog.get_logger("api.errors")


def problem(
    status: int, detail: str, *, headers: Mapping[str, str] | None = None
) -> ConnexionResponse:
    """An RFC 9457 problem response carrying the current request id."""
    return ConnexionResponse(
        status_code=status,
        mimetype=PROBLEM_JSON,
        content_type=PROBLEM_JSON,
        body=problem_document(status, detail),
        headers=dict(headers or {}),
    )


def problem_document(status: int, detail: str) -> str:
    """The problem+json body of a response with `status`, carrying the current request id."""
    return json.dumps(
        {
            "type": "about:blank",
            "title": TITLES.get(status, "Error"),
            "status": status,
            "detail": bounded(detail),
            "requestId": current_request_id(),
        }
    )


def domain_error(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, DomainError)
    if isinstance(exc, ServiceUnavailable):
        log.warning("aws_unavailable", error_type=exc.error_type, error_code=exc.error_code)
    return problem(exc.status, exc.detail, headers=exc.headers)


def connexion_problem(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    # Connexion's own validation problems (400, 415, ...): keep status and detail.
    assert isinstance(exc, ProblemException)
    if exc.status == 401:
        # Its security layer found no bearer token (or an Authorization it cannot read).
        missing = Unauthenticated(NO_TOKEN, token_sent=False)
        return problem(missing.status, missing.detail, headers=missing.headers)
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
