"""CORS preflights on AWS, where API Gateway owns CORS but routes every method of a path
(an `ANY` route) to the function."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send


class PreflightMiddleware:
    """Answers a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) on a
    path of the API with 204 and nothing else: API Gateway adds the CORS headers its own
    configuration allows. Any other request passes through."""

    def __init__(self, app: ASGIApp, allowed_methods: Callable[[str], list[str]]) -> None:
        self.app = app
        self.allowed_methods = allowed_methods

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "OPTIONS"
            and {b"origin", b"access-control-request-method"}
            <= {name for name, _ in scope.get("headers", [])}
            and self.allowed_methods(scope["path"])
        ):
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)
