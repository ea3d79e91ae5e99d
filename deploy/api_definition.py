"""The HTTP API definition in template.yaml, derived from openapi.yaml.

Every operation of the spec becomes a route whose Lambda integration is the function of
api/resources.py that serves the operation's tag, every path an `ANY` route to the same
function (for the methods the spec lacks, which the application answers 405) and an
`OPTIONS` route for CORS preflights, and the CORS configuration allows exactly the methods
and headers the spec uses. A route whose operation needs a bearer token goes through the
JWT authorizer, which checks the token against the stack's issuer and audience.
`python -m deploy.api_definition` rewrites the generated block of template.yaml; `--check`
only says whether it is up to date (the tests in tests/deploy assert the same).
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from api.paths import ROOT
from api.resources import FUNCTIONS, function_for_tag
from api.spec import Spec, cors_rules, load_spec, operations, resolve
from api.web.docs import DOCUMENT_PATHS

TEMPLATE_PATH = ROOT / "template.yaml"

ANY = "ANY"
PREFLIGHT = "OPTIONS"
ANY_METHOD_KEY = "x-amazon-apigateway-any-method"
CORS_MAX_AGE_SECONDS = 600
ALLOWED_ORIGINS_PARAMETER = "AllowedOrigins"
AUTHORIZER_KEY = "x-amazon-apigateway-authorizer"
# The issuer and audience of the tokens the authorizer accepts: the stack's Cognito user
# pool and its app client, unless the JwtIssuer parameter names another OIDC issuer (then
# JwtAudience is the audience). Cognito's access tokens carry the client id as `client_id`,
# its ID tokens as `aud`: API Gateway accepts either.
COGNITO_CONDITION = "UseCognito"
JWT_ISSUER: dict[str, Any] = {
    "Fn::If": [
        COGNITO_CONDITION,
        {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"},
        {"Ref": "JwtIssuer"},
    ]
}
JWT_AUDIENCE: dict[str, Any] = {
    "Fn::If": [COGNITO_CONDITION, [{"Ref": "UserPoolClient"}], {"Ref": "JwtAudience"}]
}
IDENTITY_SOURCE = "$request.header.Authorization"
# The spec and the docs page are served, without credentials, by the function of this tag.
DOCUMENTS_TAG = "operations"
# The template's condition of the stack whose functions run the TypeScript bundle.
NODE_CONDITION = "UsesNode"
# The template's AutoPublishAlias; SAM names the alias resource <function>Alias<alias>.
LIVE_ALIAS = "live"
BEGIN_MARKER = "# BEGIN generated API definition"
END_MARKER = "# END generated API definition"


class SpecError(ValueError):
    """openapi.yaml has an operation that the template cannot route: no function of the
    template is known to serve it, or API Gateway cannot check its security."""


@dataclass(frozen=True)
class Route:
    """One operation of the spec, the function that serves it and the security scheme whose
    JWT authorizer checks the caller first (None: anyone may call it)."""

    method: str
    path: str
    operation_id: str
    function: str
    scheme: str | None = None


def bearer_scheme(spec: Spec, operation: Mapping[str, Any]) -> str | None:
    """The bearer-token scheme that `operation` requires, by its own `security` or else the
    spec's; None when it needs none. API Gateway has one authorizer per route and none that
    lets anonymous callers through, so anything else is a SpecError."""
    requirements = operation.get("security", spec.get("security")) or []
    if not requirements:
        return None
    schemes = spec.get("components", {}).get("securitySchemes") or {}
    if len(requirements) != 1 or len(requirements[0]) != 1:
        raise SpecError(
            f"{operation['operationId']} must require exactly one security scheme, or none:"
            " an HTTP API route has one authorizer and cannot also let anonymous callers in"
        )
    ((name, _scopes),) = requirements[0].items()
    scheme = resolve(spec, schemes.get(name, {}))
    if scheme.get("type") != "http" or scheme.get("scheme", "").lower() != "bearer":
        raise SpecError(
            f"{operation['operationId']} requires {name!r}, which is not a bearer-token scheme"
            " of components.securitySchemes: the HTTP API has only a JWT authorizer"
        )
    return str(name)


def routes(spec: Spec) -> list[Route]:
    """The route of every operation in `spec`, with the function its tag maps to and its
    bearer scheme; then, for each path, an `ANY` route to the same function, so that a
    method the spec lacks reaches the application and is answered 405 with `Allow`, not API
    Gateway's bare 404, secured like the path's operations; and an `OPTIONS` route that
    needs no token: the `ANY` route would catch CORS preflights, which carry none."""
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
        scheme = bearer_scheme(spec, operation)
        if method == PREFLIGHT and scheme is not None:
            raise SpecError(f"{method} {path} is where CORS preflights go: it cannot need a token")
        found.append(Route(method, path, operation["operationId"], function.logical_id, scheme))
    by_path: dict[str, list[Route]] = {}
    for route in found:
        by_path.setdefault(route.path, []).append(route)
    fallbacks = []
    for path, on_path in by_path.items():
        if len({route.function for route in on_path}) != 1:
            raise SpecError(f"{path} has operations of more than one function")
        schemes = {route.scheme for route in on_path if route.method != PREFLIGHT}
        if len(schemes) > 1:
            raise SpecError(
                f"{path} has operations secured differently (some need a token, some not):"
                " its ANY route, for the methods the spec lacks, can only be secured one way"
            )
        served_by, scheme = on_path[0].function, next(iter(schemes), None)
        fallbacks.append(Route(ANY, path, "", served_by, scheme))
        if all(route.method != PREFLIGHT for route in on_path):
            fallbacks.append(Route(PREFLIGHT, path, "", served_by))
    return found + fallbacks


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
    """A Lambda proxy integration with the HTTP API payload format 2.0, invoking the alias
    (AutoPublishAlias, which gradual deployments move) of the function, or of its TypeScript
    twin when the stack's Runtime is nodejs."""
    (registered,) = (f for f in FUNCTIONS.values() if f.logical_id == function)
    return {
        "type": "aws_proxy",
        "httpMethod": "POST",
        "uri": {
            "Fn::If": [
                NODE_CONDITION,
                _invocation_uri(registered.node_logical_id),
                _invocation_uri(function),
            ]
        },
        "payloadFormatVersion": "2.0",
    }


def _invocation_uri(function: str) -> dict[str, Any]:
    return {
        "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path"
        f"/2015-03-31/functions/${{{function}Alias{LIVE_ALIAS}}}/invocations"
    }


def jwt_authorizer() -> dict[str, Any]:
    """A security scheme as API Gateway imports a JWT authorizer of an HTTP API: OAuth 2.0
    in OpenAPI terms, the token read from `Authorization` (with or without `Bearer `)."""
    return {
        "type": "oauth2",
        AUTHORIZER_KEY: {
            "type": "jwt",
            # Copies: one object twice in the document would be a YAML alias in the template.
            "jwtConfiguration": {
                "issuer": copy.deepcopy(JWT_ISSUER),
                "audience": copy.deepcopy(JWT_AUDIENCE),
            },
            "identitySource": IDENTITY_SOURCE,
        },
    }


def api_definition(spec: Spec) -> dict[str, Any]:
    """The OpenAPI document API Gateway imports: the spec's routes and their authorizer, the
    documents' and CORS, nothing else (requests are validated by the application, against
    the full spec)."""
    paths: dict[str, dict[str, Any]] = {}
    found = routes(spec)
    documents = document_routes()
    for route in found + documents:
        operation: dict[str, Any] = {}
        if route.operation_id:
            operation["operationId"] = route.operation_id
        if route.scheme is not None:
            operation["security"] = [{route.scheme: []}]
        elif route in documents:
            # A document (the spec, the docs page): anonymous, whatever the API requires.
            operation["security"] = []
        operation["x-amazon-apigateway-integration"] = lambda_integration(route.function)
        method = ANY_METHOD_KEY if route.method == ANY else route.method.lower()
        paths.setdefault(route.path, {})[method] = operation
    definition: dict[str, Any] = {
        "openapi": spec["openapi"],
        "info": {"title": spec["info"]["title"], "version": spec["info"]["version"]},
        "x-amazon-apigateway-cors": cors(spec),
    }
    schemes = sorted({route.scheme for route in found if route.scheme is not None})
    if schemes:
        definition["components"] = {"securitySchemes": {s: jwt_authorizer() for s in schemes}}
    return {**definition, "paths": paths}


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
