"""`make run`'s terminal: one short line per request, such as
`201 POST /users 12 ms 5bef6bff ada` (status, method, route, duration, the start of the
request id, the caller), with the detail of the problem it was answered with, if any, and
other events as their name and fields (an unhandled error with its traceback). LOG_FORMAT=json
keeps the JSON lines the Lambda functions write (api/web/observability.py), which the
Logs Insights queries of ops/ read."""

from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Mapping, MutableMapping
from contextvars import ContextVar
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.web.messages import bounded

LOG_FORMATS = ("short", "json")
_PROBLEM = b"application/problem+json"
_MAX_PROBLEM_BYTES = 16 * 1024
# Fields of the JSON line that the short line leaves out: the metrics and what it shows.
_NOT_SHOWN = {"event", "level", "timestamp", "request_id", "caller", "exc_info", "_aws"}
# The request being served: its path, its problem's detail once sent, and whether its line
# was written.
_SERVED: ContextVar[dict[str, str] | None] = ContextVar("served", default=None)
_LOGGED = "logged"
log = structlog.get_logger("dev.local")


class UnknownLogFormat(ValueError):
    """LOG_FORMAT names no format of LOG_FORMATS."""


def log_format(env: Mapping[str, str] | None = None) -> str:
    """LOG_FORMAT, by default `short`; UnknownLogFormat if it is neither short nor json."""
    env = os.environ if env is None else env
    chosen = env.get("LOG_FORMAT") or LOG_FORMATS[0]
    if chosen not in LOG_FORMATS:
        raise UnknownLogFormat(
            f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {chosen!r}"
        )
    return chosen


class ShortLinesMiddleware:
    """Keeps, for the short line of each request, its path and the `detail` of the problem
    it was answered with; writes the line of a request the app does not log itself (the
    front page, the spec with this server, the issuer's keys)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        served = {"path": scope["path"]}
        body: list[bytes] = []
        problem = False
        status = 500
        started = time.perf_counter()

        async def keep_detail(message: Message) -> None:
            nonlocal problem, status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = dict(message.get("headers", []))
                problem = headers.get(b"content-type", b"").startswith(_PROBLEM)
            elif message["type"] == "http.response.body" and problem:
                body.append(message.get("body", b""))
                if not message.get("more_body", False):
                    served["detail"] = _detail(b"".join(body))
            await send(message)

        token = _SERVED.set(served)
        try:
            await self.app(scope, receive, keep_detail)
        finally:
            if _LOGGED not in served:
                duration_ms = (time.perf_counter() - started) * 1000
                log.info("request", method=scope["method"], status=status, duration_ms=duration_ms)
            _SERVED.reset(token)


def _detail(body: bytes) -> str:
    try:
        problem = json.loads(body[:_MAX_PROBLEM_BYTES])
    except ValueError:
        return ""
    detail = problem.get("detail") if isinstance(problem, dict) else None
    return bounded(detail) if isinstance(detail, str) else ""


def _duration(milliseconds: float) -> str:
    return f"{milliseconds:.0f} ms" if milliseconds >= 1 else "<1 ms"


def short_line(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> str:
    """The structlog renderer of the short lines."""
    served = _SERVED.get() or {}
    request = str(event.get("request_id", "-"))[:8]
    if event.get("event") == "request":
        served[_LOGGED] = "yes"
    caller = bounded(str(event.get("caller", "-")), 40)
    if event.get("event") == "request":
        where = event.get("route") or bounded(served.get("path", "-"), 120)
        line = (
            f"{event['status']} {event['method']} {where} {_duration(event['duration_ms'])} "
            f"{request} {caller}"
        )
        detail = served.get("detail")
        return f"{line} — {detail}" if detail else line
    fields = " ".join(f"{name}={value}" for name, value in event.items() if name not in _NOT_SHOWN)
    line = f"{str(event.get('level', 'info')).upper()} {event.get('event')} {request} {fields}"
    error = event.get("exc_info")
    if isinstance(error, BaseException):
        line += "\n" + "".join(traceback.format_exception(error)).rstrip()
    return line.rstrip()


def use_short_lines() -> None:
    """Render the log as short lines (the app's configure_logging renders JSON lines)."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            short_line,
        ]
    )
