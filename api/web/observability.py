"""Telemetry: one JSON log line per request, with its id and never a body or header value,
carrying CloudWatch Embedded Metric Format metrics per operation."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import structlog
import structlog.tracebacks
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.web.request_context import set_request_id
from api.web.seams import routed_operation_id

log = structlog.get_logger("api.access")
SERVICE = "users-assets-api"
_RECORDING: ContextVar[bool] = ContextVar("recording", default=True)


@contextmanager
def unrecorded() -> Iterator[None]:
    """Requests served inside the block are neither logged nor counted in the metrics, and
    leave the next recorded request the first of the process (`cold_start`): for the
    warm-up that the Lambda functions send themselves during init."""
    token = _RECORDING.set(False)
    try:
        yield
    finally:
        _RECORDING.reset(token)


def configure_logging(level: str) -> None:
    """JSON lines on stdout (CloudWatch on AWS), with the request id bound per request."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            # Tracebacks as data, without the frames' local variables: they hold bodies.
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            ),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        # Looks sys.stdout up per logger, so test capture and redirection see every line.
        logger_factory=structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=False,
    )


# What each request line reports, in the order CloudWatch reads it: (name, unit, value of a
# request given its status and duration).
_METRICS: tuple[tuple[str, str, Callable[[int, float], float]], ...] = (
    ("Requests", "Count", lambda status, duration_ms: 1.0),
    ("Latency", "Milliseconds", lambda status, duration_ms: float(duration_ms)),
    ("ClientErrors", "Count", lambda status, duration_ms: float(400 <= status < 500)),
    ("ServerErrors", "Count", lambda status, duration_ms: float(status >= 500)),
)
_DIMENSIONS = [["operation", "service"]]
_DEFINITIONS = [{"Name": name, "Unit": unit} for name, unit, _ in _METRICS]


def embedded_metrics(
    namespace: str, operation: str, status: int, duration_ms: float
) -> dict[str, Any]:
    """CloudWatch Embedded Metric Format fields for a log line: count, latency and errors
    per operation, field for field what Powertools' EphemeralMetrics serializes (a test
    compares them) without building its object on every request."""
    fields: dict[str, Any] = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {"Namespace": namespace, "Dimensions": _DIMENSIONS, "Metrics": _DEFINITIONS}
            ],
        },
        "operation": operation,
        "service": SERVICE,
    }
    for name, _, value in _METRICS:
        fields[name] = [value(status, duration_ms)]
    return fields


def request_id_for(scope: Scope) -> str:
    """API Gateway's request id on AWS, else the Lambda invocation's, else a fresh one."""
    event = scope.get("aws.event") or {}
    request_id = (event.get("requestContext") or {}).get("requestId")
    if not request_id and (context := scope.get("aws.context")) is not None:
        request_id = getattr(context, "aws_request_id", None)
    return str(request_id) if request_id else str(uuid.uuid4())


class RequestContextMiddleware:
    """Gives every request an id, returns it as X-Request-Id (with `nosniff`, and
    `Cache-Control: no-store` unless the response says otherwise) and logs one line per request:
    id, method, route template, operation, status and duration; never a value from it."""

    def __init__(self, app: ASGIApp, routes: dict[str, str], metrics_namespace: str) -> None:
        self.app = app
        self.routes = routes  # operationId -> path template
        self.metrics_namespace = metrics_namespace
        self._cold = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_for(scope)
        set_request_id(request_id)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        recording = _RECORDING.get()
        cold_start = self._cold
        if recording:
            self._cold = False
        started = time.perf_counter()
        status = 500
        # Connexion's router records the operation here; it copies the scope, not this dict.
        scope.setdefault("extensions", {})

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                if not any(name == b"cache-control" for name, _ in headers):
                    # Responses hold personal data or presigned URLs: no cache keeps them.
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if recording:
                self._log(scope, status, started, cold_start)

    def _log(self, scope: Scope, status: int, started: float, cold_start: bool) -> None:
        operation = routed_operation_id(scope)
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        fields: dict[str, Any] = {
            "method": scope["method"],
            "route": self.routes.get(operation) if operation else None,
            "operation": operation,
            "status": status,
            "duration_ms": duration_ms,
            "cold_start": cold_start,
        }
        if operation:
            # One line for both: CloudWatch takes metrics from any log line with `_aws`.
            fields |= embedded_metrics(self.metrics_namespace, operation, status, duration_ms)
        log.info("request", **fields)
