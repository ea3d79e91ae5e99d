"""The spec as its authors wrote it, with its `$ref`s, at /openapi.json (and /openapi.yaml):
what generators and outside testers read. (Connexion serves it fully dereferenced, which
turns each use of a shared schema into a model class of its own in a generated client.)"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from api.paths import SPEC_PATH
from api.spec import Spec

SPEC_JSON_PATH = "/openapi.json"
SPEC_YAML_PATH = "/openapi.yaml"


class AuthoredSpecMiddleware:
    """Answers GET and HEAD of SPEC_JSON_PATH and SPEC_YAML_PATH with the authored spec."""

    def __init__(self, app: ASGIApp, spec: Spec) -> None:
        self.app = app
        self._documents = {
            SPEC_JSON_PATH: (json.dumps(spec).encode(), b"application/json"),
            SPEC_YAML_PATH: (SPEC_PATH.read_bytes(), b"application/yaml"),
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        document = self._documents.get(scope.get("path", "")) if scope["type"] == "http" else None
        if document is None or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        body, media_type = document
        headers = [(b"content-type", media_type), (b"content-length", str(len(body)).encode())]
        # The spec holds nothing private: caches may keep it for a while.
        headers.append((b"cache-control", b"public, max-age=300"))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )
