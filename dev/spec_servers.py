"""The spec as `make run` serves it at /openapi.json: the authored one, its server the origin
the request came to (http://127.0.0.1:8000), so that Swagger UI at /ui and any other reader
send their requests here. The Lambda functions serve the authored spec as it is: its server
`/` resolves to whichever origin served it, CloudFront's or API Gateway's."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from api.spec import load_spec
from api.web.docs import SPEC_JSON_PATH
from dev.local_http import request_origin, send_document


def spec_served_at(origin: str, spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` with `origin` as its one server."""
    return {**spec, "servers": [{"url": origin, "description": "this make run server"}]}


class LocalSpecMiddleware:
    """Answers GET and HEAD of /openapi.json with the spec whose server is the request's
    origin; everything else goes to `app`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._spec: dict[str, Any] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != SPEC_JSON_PATH
            or scope["method"] not in ("GET", "HEAD")
        ):
            await self.app(scope, receive, send)
            return
        if self._spec is None:
            self._spec = load_spec()
        body = json.dumps(spec_served_at(request_origin(scope), self._spec)).encode()
        await send_document(
            scope,
            send,
            body,
            [(b"content-type", b"application/json"), (b"cache-control", b"no-cache")],
        )
