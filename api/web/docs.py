"""The spec as its authors wrote it, with its `$ref`s, at /openapi.json (and /openapi.yaml):
what generators and outside testers read. (Connexion serves it fully dereferenced, which
turns each use of a shared schema into a model class of its own in a generated client.)
And /docs, a page listing the operations, self-contained (Swagger UI at /ui is local only:
its bundle is not shipped to Lambda). On AWS the users function serves all three, without
credentials, with a Cache-Control that lets CloudFront cache them."""

from __future__ import annotations

import html
import json
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from api.paths import SPEC_PATH
from api.spec import Spec, load_spec, operations

SPEC_JSON_PATH = "/openapi.json"
SPEC_YAML_PATH = "/openapi.yaml"
DOCS_PATH = "/docs"
DOCUMENT_PATHS = (SPEC_JSON_PATH, SPEC_YAML_PATH, DOCS_PATH)
# The documents hold nothing private: caches (CloudFront's, a browser's) may keep them.
DOCUMENT_CACHE_CONTROL = "public, max-age=300"
# The page runs no script and loads nothing.
DOCS_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def docs_page(spec: Spec) -> str:
    """An HTML page naming every operation of `spec`, its summary and where the spec is."""
    info = spec["info"]
    rows = "\n".join(
        f"<tr><td><code>{method}</code></td><td><code>{html.escape(path)}</code></td>"
        f"<td>{html.escape(operation.get('summary', ''))}</td>"
        f"<td><code>{html.escape(operation['operationId'])}</code></td></tr>"
        for method, path, operation, _ in operations(spec)
    )
    title = html.escape(f"{info['title']} {info['version']}")
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        f"<title>{title}</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "td{padding:.2em .8em;vertical-align:top}</style></head><body>"
        f"<h1>{title}</h1><p>{html.escape(info.get('description', ''))}</p>"
        f'<p>The contract: <a href="{SPEC_JSON_PATH}">{SPEC_JSON_PATH}</a>, '
        f'<a href="{SPEC_YAML_PATH}">{SPEC_YAML_PATH}</a>.</p>'
        "<table><tr><th>method</th><th>path</th><th>summary</th><th>operationId</th></tr>\n"
        f"{rows}\n</table></body></html>\n"
    )


class AuthoredSpecMiddleware:
    """Answers GET and HEAD of DOCUMENT_PATHS: the whole authored spec (a Lambda function's
    app serves only its own operations) and the docs page, each made on its first request
    (a cold start pays nothing for them)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._makers: dict[str, tuple[Callable[[], bytes], list[tuple[bytes, bytes]]]] = {
            SPEC_JSON_PATH: (
                lambda: json.dumps(load_spec()).encode(),
                [_type(b"application/json")],
            ),
            SPEC_YAML_PATH: (SPEC_PATH.read_bytes, [_type(b"application/yaml")]),
            DOCS_PATH: (
                lambda: docs_page(load_spec()).encode(),
                [
                    _type(b"text/html; charset=utf-8"),
                    (b"content-security-policy", DOCS_SECURITY_POLICY.encode()),
                ],
            ),
        }
        self._documents: dict[str, bytes] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else None
        if path not in self._makers or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        make, headers = self._makers[path]
        body = self._documents.get(path)
        if body is None:
            body = self._documents[path] = make()
        headers = [
            *headers,
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", DOCUMENT_CACHE_CONTROL.encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )


def _type(media_type: bytes) -> tuple[bytes, bytes]:
    return (b"content-type", media_type)
