"""The HTTP API definition in template.yaml, derived from openapi.yaml.

Every operation of the spec becomes a route whose Lambda integration is the function of
api/resources.py that serves the operation's tag, every path an `ANY` route to the same
function (for the methods the spec lacks, which the application answers 405), and the CORS
configuration allows exactly the methods and headers the spec uses.
`python -m deploy.api_definition` rewrites the generated block of template.yaml; `--check`
only says whether it is up to date (the tests in tests/deploy assert the same).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from api.paths import ROOT
from api.resources import FUNCTIONS, function_for_tag
from api.spec import Spec, cors_rules, load_spec, operations
from api.web.docs import DOCUMENT_PATHS

TEMPLATE_PATH = ROOT / "template.yaml"

ANY = "ANY"
ANY_METHOD_KEY = "x-amazon-apigateway-any-method"
CORS_MAX_AGE_SECONDS = 600
ALLOWED_ORIGINS_PARAMETER = "AllowedOrigins"
# The spec and the docs page are served, without credentials, by the function of this tag.
DOCUMENTS_TAG = "operations"
# The template's AutoPublishAlias; SAM names the alias resource <function>Alias<alias>.
LIVE_ALIAS = "live"
BEGIN_MARKER = "# BEGIN generated API definition"
END_MARKER = "# END generated API definition"


class SpecError(ValueError):
    """openapi.yaml has an operation that no function of the template is known to serve."""


@dataclass(frozen=True)
class Route:
    """One operation of the spec and the function that serves it."""

    method: str
    path: str
    operation_id: str
    function: str


def routes(spec: Spec) -> list[Route]:
    """The route of every operation in `spec`, with the function its tag maps to; then, for
    each path, an `ANY` route to the same function, so that a method the spec lacks reaches
    the application and is answered 405 with `Allow`, not API Gateway's bare 404."""
    found = []
    for method, path, operation, _ in operations(spec):
        tags = operation.get("tags", [])
        functions = {function_for_tag(tag) for tag in tags}
        if len(functions) != 1 or None in functions:
            served = ", ".join(f"{f.logical_id}: {', '.join(f.tags)}" for f in FUNCTIONS.values())
            raise SpecError(
                f"{method} {path} has tags {tags}: its tags must all map to one function"
                f" of api/resources.py ({served})"
            )
        (function,) = functions
        assert function is not None
        found.append(Route(method, path, operation["operationId"], function.logical_id))
    function_of_path: dict[str, str] = {}
    for route in found:
        if function_of_path.setdefault(route.path, route.function) != route.function:
            raise SpecError(f"{route.path} has operations of more than one function")
    return found + [Route(ANY, path, "", f) for path, f in function_of_path.items()]


def document_routes() -> list[Route]:
    """A `GET` route for each document the application serves (the spec, the docs page),
    to the function of DOCUMENTS_TAG."""
    documents = function_for_tag(DOCUMENTS_TAG)
    assert documents is not None, f"no function of api/resources.py serves {DOCUMENTS_TAG!r}"
    return [Route("GET", path, "", documents.logical_id) for path in DOCUMENT_PATHS]


def cors(spec: Spec) -> dict[str, Any]:
    """The HTTP API CORS configuration: origins from the template parameter, and the
    methods, request headers and response headers the spec uses."""
    methods, request_headers, response_headers = cors_rules(spec)
    return {
        "allowOrigins": {"Ref": ALLOWED_ORIGINS_PARAMETER},
        "allowMethods": methods,
        "allowHeaders": request_headers,
        "exposeHeaders": response_headers,
        "maxAge": CORS_MAX_AGE_SECONDS,
    }


def lambda_integration(function: str) -> dict[str, Any]:
    """A Lambda proxy integration with the HTTP API payload format 2.0, invoking the
    function's alias (AutoPublishAlias), which gradual deployments move."""
    return {
        "type": "aws_proxy",
        "httpMethod": "POST",
        "uri": {
            "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path"
            f"/2015-03-31/functions/${{{function}Alias{LIVE_ALIAS}}}/invocations"
        },
        "payloadFormatVersion": "2.0",
    }


def api_definition(spec: Spec) -> dict[str, Any]:
    """The OpenAPI document API Gateway imports: the spec's routes, the documents' and CORS,
    nothing else (requests are validated by the application, against the full spec)."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes(spec) + document_routes():
        integration = {"x-amazon-apigateway-integration": lambda_integration(route.function)}
        if route.method == ANY:
            paths[route.path][ANY_METHOD_KEY] = integration
        elif route.operation_id:
            paths.setdefault(route.path, {})[route.method.lower()] = {
                "operationId": route.operation_id,
                **integration,
            }
        else:
            # A document (the spec, the docs page): anonymous, whatever the API requires.
            paths[route.path] = {route.method.lower(): {"security": [], **integration}}
    return {
        "openapi": spec["openapi"],
        "info": {"title": spec["info"]["title"], "version": spec["info"]["version"]},
        "x-amazon-apigateway-cors": cors(spec),
        "paths": paths,
    }


class _TemplateDumper(yaml.SafeDumper):  # type: ignore[misc]
    """Indents block sequences under their key, as the rest of template.yaml does."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def render(definition: Mapping[str, Any], indent: str) -> list[str]:
    """The `DefinitionBody:` block of the template, each line prefixed with `indent`."""
    body = yaml.dump(
        {"DefinitionBody": dict(definition)},
        Dumper=_TemplateDumper,
        sort_keys=False,
        width=1000,
        indent=2,
    )
    return [indent + line for line in body.splitlines()]


def update_template(template: str, definition: Mapping[str, Any]) -> str:
    """`template` with the lines between the generated-block markers replaced."""
    lines = template.splitlines()
    begin = _marker_line(lines, BEGIN_MARKER)
    end = _marker_line(lines, END_MARKER)
    if end < begin:
        raise ValueError(f"{END_MARKER!r} comes before {BEGIN_MARKER!r}")
    indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
    updated = [*lines[: begin + 1], *render(definition, indent), *lines[end:]]
    return "\n".join(updated) + "\n"


def _marker_line(lines: Sequence[str], marker: str) -> int:
    matches = [i for i, line in enumerate(lines) if line.strip().startswith(marker)]
    if len(matches) != 1:
        raise ValueError(f"the template needs exactly one line starting with {marker!r}")
    return matches[0]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.api_definition", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report whether it is stale")
    args = parser.parse_args(argv)
    current = TEMPLATE_PATH.read_text(encoding="utf-8")
    updated = update_template(current, api_definition(load_spec()))
    if updated == current:
        print("template.yaml: the API definition is up to date with openapi.yaml")
        return 0
    if args.check:
        print(
            "template.yaml: the API definition is stale; run `python -m deploy.api_definition`",
            file=sys.stderr,
        )
        return 1
    TEMPLATE_PATH.write_text(updated, encoding="utf-8")
    print("template.yaml: API definition regenerated from openapi.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
