"""What the local server's own pages share: the origin a request was sent to, and a whole
document sent as the answer to a GET or HEAD."""

from __future__ import annotations

import re

from starlette.types import Scope, Send

# A host and port as a browser sends them (a name, IPv4 or [IPv6]); anything else is not
# written into a page.
_HOST = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


def request_origin(scope: Scope) -> str:
    """The origin the request was sent to: its scheme and Host header, else the address the
    server listens on."""
    host = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), "")
    if not _HOST.fullmatch(host):
        address, port = scope.get("server") or ("127.0.0.1", 80)
        host = f"{address}:{port}"
    return f"{scope.get('scheme', 'http')}://{host}"


async def send_document(
    scope: Scope, send: Send, body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    """`body` with `headers`, its length and nosniff, as a 200 (without the body to a HEAD)."""
    headers = [
        *headers,
        (b"content-length", str(len(body)).encode()),
        (b"x-content-type-options", b"nosniff"),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
