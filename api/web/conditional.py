"""Conditional GET (RFC 9110 section 13.1.2): a GET or HEAD whose If-None-Match names the
representation's current ETag, or is `*`, is answered 304 Not Modified without a body."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.rules.etags import if_none_match_allows

# What a 304 keeps of the 200 it stands for (section 15.4.5); the rest describes the body.
_KEPT = {b"etag", b"cache-control", b"vary", b"expires", b"date", b"content-location"}


class ConditionalGetMiddleware:
    """Turns a 200 to a GET or HEAD into 304 when its ETag meets the If-None-Match header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        header = _if_none_match(scope)
        if header is None:
            await self.app(scope, receive, send)
            return
        not_modified = False

        async def send_conditionally(message: Message) -> None:
            nonlocal not_modified
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = message.get("headers", [])
                etag = next((v.decode("latin-1") for k, v in headers if k == b"etag"), None)
                if etag is not None and not if_none_match_allows(header, etag):
                    not_modified = True
                    kept = [(k, v) for k, v in headers if k in _KEPT]
                    message = {"type": "http.response.start", "status": 304, "headers": kept}
            elif message["type"] == "http.response.body" and not_modified:
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app(scope, receive, send_conditionally)


def _if_none_match(scope: Scope) -> str | None:
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return None
    for name, value in scope.get("headers", []):
        if name == b"if-none-match":
            return str(value.decode("latin-1"))
    return None
