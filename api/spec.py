"""What the application and the deployment read from openapi.yaml: its operations, the paths
each function serves, and the methods and headers CORS has to allow."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from api.paths import SPEC_PATH

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# The spec promises X-Request-Id on every response in its prose, not as a declared header.
EXPOSED_ON_EVERY_RESPONSE = ("x-request-id",)

Spec = Mapping[str, Any]


def load_spec(path: Path = SPEC_PATH) -> dict[str, Any]:
    """The OpenAPI document at `path`."""
    import yaml  # here: the Lambda functions read the spec as JSON and never load PyYAML

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when PyYAML has it
    with path.open("rb") as spec:
        loaded: dict[str, Any] = yaml.load(spec, Loader=loader)  # noqa: S506 - a safe loader
    return loaded


def for_tags(spec: Spec, tags: Iterable[str]) -> dict[str, Any]:
    """`spec` with only the paths whose operations carry one of `tags`: what one Lambda
    function serves (each path belongs to one function; deploy/api_definition.py checks)."""
    wanted = set(tags)
    paths = {
        path: item
        for path, item in (spec.get("paths") or {}).items()
        if any(
            wanted & set(operation.get("tags", []))
            for method, operation in item.items()
            if method in HTTP_METHODS
        )
    }
    return {**spec, "paths": paths}


def operations(spec: Spec) -> Iterator[tuple[str, str, Mapping[str, Any], list[Any]]]:
    """(METHOD, path, operation, path-level parameters) for every operation, in spec order."""
    for path, item in (spec.get("paths") or {}).items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method.upper(), path, operation, list(item.get("parameters", []))


def resolve(spec: Spec, node: Mapping[str, Any]) -> Mapping[str, Any]:
    """`node`, or what its local `$ref` (`#/components/...`) points at."""
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def operation_paths(spec: Spec) -> dict[str, str]:
    """operationId -> path template, for the access log."""
    return {operation["operationId"]: path for _, path, operation, _ in operations(spec)}


def cors_rules(spec: Spec) -> tuple[list[str], list[str], list[str]]:
    """The methods, request headers and response headers the spec uses, lower-cased headers:
    what CORS must allow, locally in the app and on AWS in API Gateway."""
    methods: set[str] = set()
    request_headers = _credential_headers(spec)
    response_headers = set(EXPOSED_ON_EVERY_RESPONSE)
    for method, _, operation, path_parameters in operations(spec):
        methods.add(method)
        for parameter in path_parameters + list(operation.get("parameters", [])):
            parameter = resolve(spec, parameter)
            if parameter["in"] == "header":
                request_headers.add(parameter["name"].lower())
        if "requestBody" in operation:
            request_headers.add("content-type")
        for response in (operation.get("responses") or {}).values():
            headers = resolve(spec, response).get("headers") or {}
            response_headers.update(name.lower() for name in headers)
    return sorted(methods), sorted(request_headers), sorted(response_headers)


def _credential_headers(spec: Spec) -> set[str]:
    headers = set()
    for scheme in (spec.get("components", {}).get("securitySchemes") or {}).values():
        scheme = resolve(spec, scheme)
        if scheme.get("type") in {"http", "oauth2", "openIdConnect"}:
            headers.add("authorization")
        elif scheme.get("type") == "apiKey" and scheme.get("in") == "header":
            headers.add(scheme["name"].lower())
    return headers
