"""Lambda entry points: warm-up pings answered at once, HTTP events through Mangum."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from mangum import Mangum
from mangum.types import ASGI
from starlette.types import ASGIApp

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def is_warmup(event: dict[str, Any]) -> bool:
    """The scheduled EventBridge ping that keeps the function warm."""
    return event.get("source") == "aws.events" and event.get("detail-type") == "Scheduled Event"


def lambda_handler(build_app: Callable[[], ASGIApp]) -> LambdaHandler:
    """A handler serving API Gateway (HTTP API v2, REST v1) and ALB events with the app
    that `build_app` makes on the first request of the process."""
    adapter: Mangum | None = None

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        nonlocal adapter
        if is_warmup(event):
            return {"warmed": True}
        if adapter is None:
            # No lifespan: Mangum would run startup and shutdown around every invocation.
            adapter = Mangum(cast(ASGI, build_app()), lifespan="off")
        return adapter(event, context)

    return handler
