"""deploy/api_definition.py: how the template's API definition is derived from a spec."""

from __future__ import annotations

import pytest

from deploy.api_definition import (
    BEGIN_MARKER,
    END_MARKER,
    SpecError,
    api_definition,
    cors,
    routes,
    update_template,
)


def make_spec(*, paths=None, components=None):
    return {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": paths if paths is not None else {},
        "components": components or {},
    }


def operation(*tags, operation_id="op", **extra):
    return {"operationId": operation_id, "tags": list(tags), "responses": {}, **extra}


def test_operations_are_routed_by_their_tag():
    spec = make_spec(
        paths={
            "/health": {"get": operation("operations", operation_id="getHealth")},
            "/assets": {"post": operation("assets", operation_id="createAsset")},
        }
    )
    assert [(r.method, r.path, r.operation_id, r.function) for r in routes(spec)] == [
        ("GET", "/health", "getHealth", "UsersFunction"),
        ("POST", "/assets", "createAsset", "AssetsFunction"),
        ("ANY", "/health", "", "UsersFunction"),
        ("ANY", "/assets", "", "AssetsFunction"),
    ]


def test_a_path_whose_operations_need_two_functions_is_rejected():
    spec = make_spec(
        paths={"/x": {"get": operation("users"), "post": operation("assets", operation_id="p")}}
    )
    with pytest.raises(SpecError, match="/x"):
        routes(spec)


@pytest.mark.parametrize(
    "tags",
    [pytest.param((), id="no tag"), ("billing",), ("users", "assets")],
)
def test_an_operation_that_maps_to_no_single_function_is_rejected(tags):
    spec = make_spec(paths={"/x": {"get": operation(*tags)}})
    with pytest.raises(SpecError, match="GET /x"):
        routes(spec)


def test_path_level_keys_that_are_not_methods_are_not_routes():
    spec = make_spec(
        paths={"/users/{userId}": {"parameters": [], "summary": "s", "get": operation("users")}}
    )
    assert [(r.method, r.path) for r in routes(spec)] == [
        ("GET", "/users/{userId}"),
        ("ANY", "/users/{userId}"),
    ]


def test_cors_allows_header_parameters_bodies_and_declared_credentials():
    spec = make_spec(
        paths={
            "/things/{id}": {
                "parameters": [{"name": "X-Tenant", "in": "header"}],
                "patch": operation(
                    "users",
                    parameters=[{"$ref": "#/components/parameters/IfMatch"}],
                    requestBody={"content": {}},
                    responses={"200": {"headers": {"ETag": {}}}},
                ),
            }
        },
        components={
            "parameters": {"IfMatch": {"name": "If-Match", "in": "header"}},
            "securitySchemes": {
                "jwt": {"type": "http", "scheme": "bearer"},
                "key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            },
        },
    )
    assert cors(spec) == {
        "allowOrigins": {"Ref": "AllowedOrigins"},
        "allowMethods": ["PATCH"],
        "allowHeaders": ["authorization", "content-type", "if-match", "x-api-key", "x-tenant"],
        "exposeHeaders": ["etag", "x-request-id"],
        "maxAge": 600,
    }


def test_update_template_replaces_only_the_generated_block():
    template = "\n".join(
        [
            "Resources:",
            "  HttpApi:",
            "    Properties:",
            f"      {BEGIN_MARKER}",
            "      DefinitionBody: {}",
            f"      {END_MARKER}",
            "  Other: {}",
            "",
        ]
    )
    spec = make_spec(paths={"/health": {"get": operation("operations")}})

    updated = update_template(template, api_definition(spec))

    lines = updated.splitlines()
    assert lines[:4] == template.splitlines()[:4]
    assert lines[4] == "      DefinitionBody:"
    assert lines[-2:] == [f"      {END_MARKER}", "  Other: {}"]
    assert update_template(updated, api_definition(spec)) == updated
