"""The methods of each path of the spec, for the Allow header of a 405 and for preflights."""

from __future__ import annotations

from collections.abc import Callable

from starlette.routing import compile_path

from api.spec import Spec, operations


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
