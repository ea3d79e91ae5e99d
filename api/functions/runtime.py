"""The Lambda side of a function: warm-up pings answered at once, S3 notifications to their
handler, HTTP events through Mangum to the app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from mangum import Mangum
from mangum.types import ASGI
from starlette.types import ASGIApp

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]
EventHandler = Callable[[dict[str, Any]], dict[str, Any]]


def is_warmup(event: dict[str, Any]) -> bool:
    """The scheduled EventBridge ping that keeps the function warm."""
    return event.get("source") == "aws.events" and event.get("detail-type") == "Scheduled Event"


def is_s3_event(event: dict[str, Any]) -> bool:
    records = event.get("Records") or []
    return bool(records) and all(r.get("eventSource") == "aws:s3" for r in records)


def lambda_handler(
    build_app: Callable[[], ASGIApp], *, s3_events: EventHandler | None = None
) -> LambdaHandler:
    """A handler serving API Gateway (HTTP API v2, REST v1) and ALB events with the app
    that `build_app` makes on the first request of the process, and S3 notifications
    with `s3_events` when given."""
    adapter: Mangum | None = None

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        nonlocal adapter
        if is_warmup(event):
            return {"warmed": True}
        if s3_events is not None and is_s3_event(event):
            return s3_events(event)
        if adapter is None:
            # No lifespan: Mangum would run startup and shutdown around every invocation.
            adapter = Mangum(cast(ASGI, build_app()), lifespan="off")
        return adapter(event, context)

    return handler
