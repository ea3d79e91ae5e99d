"""The Lambda side of a function: the app built and warmed up during init, warm-up pings
answered at once, S3 notifications to their handler, HTTP events through Mangum to the app."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from mangum import Mangum
from mangum.types import ASGI
from starlette.types import ASGIApp

from api.functions.clients import Clients
from api.functions.snapstart import register_restore_hooks
from api.web.observability import unrecorded

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]
EventHandler = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class WarmUp:
    """A request the function sends itself during init, through Mangum and the whole app, so
    that what the first request would otherwise build lazily (Connexion's and botocore's
    caches, the validators, the event loop) is built in Lambda's init phase, which runs at
    full CPU. It must touch no AWS service: a request refused before storage is ideal."""

    method: str
    path: str
    body: Any = None
    status: int = 200


def warm_up_event(request: WarmUp) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event for `request`."""
    raw = None if request.body is None else json.dumps(request.body).encode()
    headers = {"host": "warm-up.invalid"}
    if raw is not None:
        headers |= {"content-type": "application/json", "content-length": str(len(raw))}
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": request.path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "http": {"method": request.method, "path": request.path, "sourceIp": "127.0.0.1"},
            "requestId": "warm-up",
            "routeKey": "$default",
            "stage": "$default",
        },
        "body": None if raw is None else base64.b64encode(raw).decode(),
        "isBase64Encoded": raw is not None,
    }


class WarmUpFailed(RuntimeError):
    """The init-time warm-up request answered another status than it expects."""


class _InitContext:
    aws_request_id = "warm-up"
    function_name = "warm-up"
    memory_limit_in_mb = 0

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def is_warmup(event: dict[str, Any]) -> bool:
    """The scheduled EventBridge ping that keeps the function warm."""
    return event.get("source") == "aws.events" and event.get("detail-type") == "Scheduled Event"


def is_s3_event(event: dict[str, Any]) -> bool:
    records = event.get("Records") or []
    return bool(records) and all(r.get("eventSource") == "aws:s3" for r in records)


def warm_up(
    adapter: Callable[[dict[str, Any], Any], dict[str, Any]], requests: Sequence[WarmUp]
) -> None:
    """Send `requests` through `adapter`, unlogged and uncounted; WarmUpFailed if one answers
    another status than it expects."""
    with unrecorded():
        for request in requests:
            status = adapter(warm_up_event(request), _InitContext())["statusCode"]
            if status != request.status:
                raise WarmUpFailed(f"{request.method} {request.path} answered {status}")


def lambda_handler(
    build_app: Callable[[], ASGIApp],
    *,
    clients: Clients | None = None,
    warm_ups: Sequence[WarmUp] = (),
    s3_events: EventHandler | None = None,
) -> LambdaHandler:
    """A handler serving API Gateway (HTTP API v2, REST v1) and ALB events with the app that
    `build_app` makes now, in the init phase of the process, with `clients` opened and the
    app warmed up with `warm_ups` (what SnapStart snapshots; `clients` are opened anew after
    a restore); and S3 notifications with `s3_events` when given."""
    # No lifespan: Mangum would run startup and shutdown around every invocation.
    adapter = Mangum(cast(ASGI, build_app()), lifespan="off")
    if clients is not None:
        clients.open()
    warm_up(adapter, warm_ups)
    register_restore_hooks(clients)

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if is_warmup(event):
            return {"warmed": True}
        if s3_events is not None and is_s3_event(event):
            return s3_events(event)
        return adapter(event, context)

    return handler
