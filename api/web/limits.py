"""Request size limits, enforced before anything parses the request."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.rules.errors import BodyTooLarge, HeadersTooLarge

MAX_HEADER_BYTES = 8 * 1024
MAX_HEADERS_BYTES = 16 * 1024


class RequestLimitsMiddleware:
    """Raises HeadersTooLarge (431) for a header over MAX_HEADER_BYTES or all of them over
    MAX_HEADERS_BYTES, and BodyTooLarge (413) for a declared or streamed body over
    `max_body_bytes`."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    def _too_large(self) -> BodyTooLarge:
        return BodyTooLarge(f"The request body must not exceed {self.max_body_bytes} bytes.")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", [])
        if any(len(value) > MAX_HEADER_BYTES for _, value in headers):
            raise HeadersTooLarge(f"A request header exceeds {MAX_HEADER_BYTES} bytes.")
        if sum(len(name) + len(value) for name, value in headers) > MAX_HEADERS_BYTES:
            raise HeadersTooLarge(f"The request headers exceed {MAX_HEADERS_BYTES} bytes.")
        for name, value in headers:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_body_bytes:
                raise self._too_large()
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise self._too_large()
            return message

        await self.app(scope, counting_receive, send)
