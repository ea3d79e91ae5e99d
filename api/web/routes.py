"""The methods of each path of the spec, for the Allow header of a 405 and for preflights;
and paths taken exactly as the spec writes them."""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from api.spec import Spec, operations


class ExactPathsMiddleware:
    """A path with a trailing slash is no path of the spec: 404, where Starlette's router
    would redirect to the path without it, building the Location from the request's Host
    header (a redirect anyone can point at another host)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and len(path) > 1 and path.endswith("/"):
            raise HTTPException(404)
        await self.app(scope, receive, send)


def method_finder(spec: Spec) -> Callable[[str], list[str]]:
    """The methods the spec declares for a request path, for the Allow header of a 405."""
    methods: dict[str, list[str]] = {}
    for method, path, _, _ in operations(spec):
        methods.setdefault(path, []).append(method)
    for found in methods.values():
        if "GET" in found:
            found.append("HEAD")  # every GET route answers HEAD too (RFC 9110 section 9.3.2)
    routes = [(compile_path(path)[0], sorted(found)) for path, found in methods.items()]

    def allowed_methods(path: str) -> list[str]:
        return next((found for regex, found in routes if regex.match(path)), [])

    return allowed_methods
