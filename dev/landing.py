"""`make run`'s front page at /: where to go from here (the web client, the docs, the spec),
as a small HTML page, or as JSON to a client that asks for it. Local only: the Lambda
functions and the spec know nothing of it."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from api.spec import load_spec
from api.web.docs import DOCS_PATH, SPEC_JSON_PATH, SPEC_YAML_PATH
from dev.local_http import request_origin, send_document

SWAGGER_UI_PATH = "/ui/"
# The page runs no script and loads nothing.
SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def links(origin: str, web_client: str) -> dict[str, dict[str, str]]:
    """Each place the page leads to: its URL and what it is."""
    return {
        "webClient": {"href": web_client, "title": "The web client"},
        "docs": {
            "href": origin + SWAGGER_UI_PATH,
            "title": "Interactive docs (Swagger UI): Authorize with make token SUB=ada ADMIN=1",
        },
        "operations": {"href": origin + DOCS_PATH, "title": "Every operation on one page"},
        "spec": {"href": origin + SPEC_JSON_PATH, "title": "The contract, OpenAPI 3.0 as JSON"},
        "specYaml": {"href": origin + SPEC_YAML_PATH, "title": "The contract as authored (YAML)"},
    }


def _quality(accept: str, media_type: str) -> float:
    """The weight `accept` gives `media_type` (RFC 9110 section 12.5.1), by its most
    specific range."""
    kind = media_type.split("/")[0]
    found: dict[str, float] = {}
    for item in accept.split(","):
        media_range, *parameters = (part.strip().lower() for part in item.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        found.setdefault(media_range, weight)
    for media_range in (media_type, f"{kind}/*", "*/*"):
        if media_range in found:
            return found[media_range]
    return 0.0


def prefers_json(accept: str) -> bool:
    """Whether a client sending `accept` would rather have JSON than HTML."""
    return _quality(accept, "application/json") > _quality(accept, "text/html")


def landing_page(title: str, places: Mapping[str, Mapping[str, str]]) -> str:
    items = "\n".join(
        f'<li><a href="{html.escape(place["href"])}">{html.escape(place["title"])}</a>'
        f" <code>{html.escape(place['href'])}</code></li>"
        for place in places.values()
    )
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto}"
        "li{margin:.4em 0}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>This is <code>make run</code>'s local server.</p>"
        f"<ul>\n{items}\n</ul></body></html>\n"
    )


class LandingMiddleware:
    """Answers GET and HEAD of / with the landing page (JSON if the client prefers it);
    everything else goes to `app`."""

    def __init__(self, app: ASGIApp, web_client: str) -> None:
        self.app = app
        self.web_client = web_client
        info: dict[str, Any] = load_spec()["info"]
        self.title = f"{info['title']} {info['version']}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != "/"
            or scope["method"] not in ("GET", "HEAD")
        ):
            await self.app(scope, receive, send)
            return
        places = links(request_origin(scope), self.web_client)
        accept = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"accept"), "")
        if prefers_json(accept):
            body = json.dumps({"title": self.title, "links": places}).encode()
            headers = [(b"content-type", b"application/json")]
        else:
            body = landing_page(self.title, places).encode()
            headers = [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-security-policy", SECURITY_POLICY.encode()),
            ]
        headers += [(b"vary", b"Accept"), (b"cache-control", b"no-cache")]
        await send_document(scope, send, body, headers)
