"""What a request must be before anything parses it: headers and body within their limits,
the body read whole with its real length, and its media type parsed per RFC 9110."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.rules.errors import BodyTooLarge, HeadersTooLarge, UnsupportedMediaType
from api.web.media_types import parse_media_type

MAX_HEADER_BYTES = 8 * 1024
MAX_HEADERS_BYTES = 16 * 1024
# Methods whose body means something to this API: a body there must say what it is.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_FRAMING = {b"content-length", b"content-type", b"transfer-encoding"}


class RequestLimitsMiddleware:
    """Raises HeadersTooLarge (431) for a header over MAX_HEADER_BYTES or all of them over
    MAX_HEADERS_BYTES, BodyTooLarge (413) for a declared or received body over
    `max_body_bytes`, and UnsupportedMediaType (415) for a Content-Type that is not a media
    type, a charset other than UTF-8, or a body without a Content-Type. The body is read
    whole (chunked, or without a Content-Length as an HTTP/2 client or a Lambda event may
    send it) and passed on with its real Content-Length and the media type in its canonical
    form (lower case, no white space), which is what Connexion's validators match."""

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
        body = await self._read_body(receive)
        content_type = _media_type(headers)
        if content_type is None and body and scope["method"] in BODY_METHODS:
            raise UnsupportedMediaType(
                "A request body needs a Content-Type header: this API takes application/json."
            )
        framed = [(name, value) for name, value in headers if name not in _FRAMING]
        if body:
            framed.append((b"content-length", str(len(body)).encode()))
        if content_type is not None:
            framed.append((b"content-type", content_type.encode("latin-1")))
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app({**scope, "headers": framed}, replay, send)

    async def _read_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_body_bytes:
                raise self._too_large()
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _media_type(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The request's Content-Type in canonical form, None without one; UnsupportedMediaType
    for a value that is not a media type, or a JSON charset other than UTF-8."""
    values = [value for name, value in headers if name == b"content-type"]
    if not values:
        return None
    media_type = parse_media_type(values[-1].decode("latin-1")) if len(values) == 1 else None
    if media_type is None:
        raise UnsupportedMediaType(
            "The Content-Type header is not one media type, such as application/json."
        )
    charset = media_type.parameter("charset")
    if charset is not None and charset.lower() != "utf-8":
        raise UnsupportedMediaType("A JSON body must be encoded in UTF-8 (RFC 8259).")
    return str(media_type)
