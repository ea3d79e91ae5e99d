"""The places where the web layer relies on Connexion's private names, each in one function
with a test (tests/unit/test_seams.py) that fails when Connexion changes it. The README's
upgrade notes list them with the others."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from connexion.apps.asynchronous import AsyncOperation
from connexion.context import receive, scope
from connexion.decorators import StarletteDecorator
from connexion.decorators.parameter import AsyncParameterDecorator
from connexion.middleware.abstract import ROUTING_CONTEXT
from connexion.spec import Specification
from starlette.types import Scope

from api.spec import HTTP_METHODS, resolve


@contextmanager
def skip_spec_validation() -> Iterator[None]:
    """While the block runs, Connexion does not check specs against the OpenAPI schema (it
    does so in `add_api`: 24 ms of every cold start, measured). openapi.yaml is checked by the
    contract tests instead. After the block Connexion validates as usual; apps are built
    before they serve, so no other request's spec is loaded meanwhile."""
    original = Specification.__dict__["_validate_spec"]
    Specification._validate_spec = classmethod(lambda cls, spec: None)
    try:
        yield
    finally:
        Specification._validate_spec = original


def routed_operation_id(scope: Scope) -> str | None:
    """The operationId Connexion's router recorded in the request's scope, if it routed it."""
    routing: dict[str, Any] = scope.get("extensions", {}).get(ROUTING_CONTEXT, {})
    return routing.get("operation_id")


class NamesSanitizedOnce(AsyncParameterDecorator):  # type: ignore[misc]
    """Connexion's parameter decorator, turning each parameter's name into a Python name
    once: Connexion's own runs three regular expressions (and inflection's, for pythonic
    names) on every name of every request (`sanitize_fn`; about 4 % of a warm request,
    measured). The names are the spec's, so the table stays small."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sanitize: Callable[[str], str] = self.__dict__["sanitize_fn"]
        self.sanitize_fn = functools.lru_cache(maxsize=256)(sanitize)


class DecoratedOnce(StarletteDecorator):  # type: ignore[misc]
    """Connexion's decorator of an operation, decorating it once: Connexion's own decorates
    the function and builds its URI parser again inside every call (about 30 us a request,
    measured). One decorator serves one operation, so both are kept from its first call;
    its parameter decorator sanitizes each name once (NamesSanitizedOnce)."""

    @property
    def _parameter_decorator_cls(self) -> type[AsyncParameterDecorator]:
        return NamesSanitizedOnce

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        decorated = self.decorate(function)
        parsers: list[Any] = []

        @functools.wraps(function)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not parsers:
                parsers.append(self.uri_parser)  # reads the routed operation's context
            request = self.framework.get_request(
                uri_parser=parsers[0], scope=scope, receive=receive
            )
            return await decorated(request)

        return wrapper


def _decorated_once(operation: AsyncOperation) -> Callable[..., Any]:
    fn: Callable[..., Any] | None = operation.__dict__.get("_decorated_fn")
    if fn is None:
        decorator = DecoratedOnce(
            pythonic_params=operation.pythonic_params, jsonifier=operation.jsonifier
        )
        fn = operation.__dict__["_decorated_fn"] = decorator(operation._fn)
    return fn


def decorate_operations_once() -> None:
    """Make Connexion's AsyncOperation decorate its function on its first request only
    (its `fn` property decorates anew on every request). For every app of the process."""
    AsyncOperation.fn = property(_decorated_once)


def path_parameters_in_operations(spec: Mapping[str, Any]) -> dict[str, Any]:
    """`spec` with each path's own `parameters` moved into each of its operations (an
    operation's parameter of the same name and place wins, as OpenAPI says), in new lists.
    Connexion 3.3 appends a path's parameters to the operation's own list in place
    (`OpenAPIOperation.__init__`: `self._parameters += path_parameters`), once for every
    middleware that builds the operation: a path parameter was validated six times per
    request (measured). Without path-level parameters there is nothing to append."""
    paths: dict[str, Any] = {}
    for path, item in (spec.get("paths") or {}).items():
        shared = list(item.get("parameters", []))
        moved = {key: value for key, value in item.items() if key != "parameters"}
        for method in HTTP_METHODS:
            if method in item:
                own = list(item[method].get("parameters", []))
                placed = {_place(spec, parameter) for parameter in own}
                inherited = [p for p in shared if _place(spec, p) not in placed]
                moved[method] = {**item[method], "parameters": own + inherited}
        paths[path] = moved
    return {**spec, "paths": paths}


def _place(spec: Mapping[str, Any], parameter: Mapping[str, Any]) -> tuple[str, str]:
    resolved = resolve(spec, parameter)
    return resolved["name"], resolved["in"]
