"""deploy/api_definition.py: how the template's API definition is derived from a spec."""

from __future__ import annotations

import pytest

from deploy.api_definition import (
    BEGIN_MARKER,
    END_MARKER,
    JWT_AUDIENCE,
    JWT_ISSUER,
    SpecError,
    api_definition,
    cors,
    routes,
    update_template,
)


def make_spec(*, paths=None, components=None, **top_level):
    return {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": paths if paths is not None else {},
        "components": components or {},
        **top_level,
    }


BEARER = {"securitySchemes": {"jwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}}


def secured_spec(paths):
    """A spec whose operations need the `jwt` bearer scheme unless they say otherwise."""
    return make_spec(paths=paths, components=BEARER, security=[{"jwt": []}])


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
        ("OPTIONS", "/health", "", "UsersFunction"),
        ("ANY", "/assets", "", "AssetsFunction"),
        ("OPTIONS", "/assets", "", "AssetsFunction"),
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
        ("OPTIONS", "/users/{userId}"),
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


def test_operations_need_the_specs_bearer_scheme_unless_their_own_security_says_otherwise():
    spec = secured_spec(
        {
            "/health": {"get": operation("operations", security=[])},
            "/users": {"get": operation("users"), "post": operation("users", operation_id="c")},
        }
    )
    assert [(r.method, r.path, r.scheme) for r in routes(spec)] == [
        ("GET", "/health", None),
        ("GET", "/users", "jwt"),
        ("POST", "/users", "jwt"),
        ("ANY", "/health", None),
        ("OPTIONS", "/health", None),
        ("ANY", "/users", "jwt"),
        ("OPTIONS", "/users", None),
    ]


def test_an_operation_may_require_the_token_that_the_spec_does_not():
    spec = make_spec(
        paths={"/x": {"get": operation("users", security=[{"jwt": []}])}}, components=BEARER
    )
    assert {(r.method, r.scheme) for r in routes(spec)} == {
        ("GET", "jwt"),
        ("ANY", "jwt"),
        ("OPTIONS", None),
    }


def test_the_definition_routes_secured_operations_through_one_jwt_authorizer():
    spec = secured_spec(
        {
            "/health": {"get": operation("operations", operation_id="getHealth", security=[])},
            "/users": {"get": operation("users", operation_id="listUsers")},
        }
    )
    definition = api_definition(spec)

    assert definition["components"] == {
        "securitySchemes": {
            "jwt": {
                "type": "oauth2",
                "x-amazon-apigateway-authorizer": {
                    "type": "jwt",
                    "jwtConfiguration": {"issuer": JWT_ISSUER, "audience": JWT_AUDIENCE},
                    "identitySource": "$request.header.Authorization",
                },
            }
        }
    }
    paths = definition["paths"]
    assert paths["/users"]["get"]["security"] == [{"jwt": []}]
    assert paths["/users"]["x-amazon-apigateway-any-method"]["security"] == [{"jwt": []}]
    assert "security" not in paths["/users"]["options"]
    assert "operationId" not in paths["/users"]["options"]
    assert "security" not in paths["/health"]["get"]
    assert "security" not in paths["/health"]["x-amazon-apigateway-any-method"]
    assert "security" not in definition  # no route is secured but those that say so


def test_a_spec_without_security_gets_no_authorizer():
    definition = api_definition(make_spec(paths={"/health": {"get": operation("operations")}}))
    assert "components" not in definition
    # No route names a scheme (the documents' say `security: []`, anonymous).
    assert not [
        o for item in definition["paths"].values() for o in item.values() if o.get("security")
    ]


def test_the_rendered_definition_repeats_no_yaml_node_as_an_alias():
    spec = secured_spec({"/users": {"get": operation("users")}})
    spec["components"]["securitySchemes"]["other"] = {"type": "http", "scheme": "Bearer"}
    spec["paths"]["/assets"] = {"get": operation("assets", security=[{"other": []}])}
    rendered = update_template(f"{BEGIN_MARKER}\n{END_MARKER}\n", api_definition(spec))
    assert "&id" not in rendered
    assert "*id" not in rendered


def test_a_path_whose_operations_are_secured_differently_is_rejected():
    spec = secured_spec(
        {
            "/x": {
                "get": operation("users", security=[]),
                "post": operation("users", operation_id="p"),
            }
        }
    )
    with pytest.raises(SpecError, match="/x has operations secured differently"):
        routes(spec)


@pytest.mark.parametrize(
    "security",
    [
        pytest.param([{}, {"jwt": []}], id="optional token"),
        pytest.param([{"jwt": []}, {"key": []}], id="either of two schemes"),
        pytest.param([{"jwt": [], "key": []}], id="two schemes at once"),
        pytest.param([{"key": []}], id="an api key"),
        pytest.param([{"basic": []}], id="basic auth"),
        pytest.param([{"missing": []}], id="an undeclared scheme"),
    ],
)
def test_security_that_api_gateways_jwt_authorizer_cannot_check_is_rejected(security):
    components = {
        "securitySchemes": {
            **BEARER["securitySchemes"],
            "key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            "basic": {"type": "http", "scheme": "basic"},
        }
    }
    spec = make_spec(
        paths={"/x": {"get": operation("users", operation_id="getX", security=security)}},
        components=components,
    )
    with pytest.raises(SpecError, match="getX"):
        routes(spec)


def test_an_options_operation_of_the_spec_is_its_paths_preflight_route_and_needs_no_token():
    spec = secured_spec(
        {
            "/x": {
                "get": operation("users"),
                "options": operation("users", operation_id="o", security=[]),
            }
        }
    )
    assert [(r.method, r.operation_id, r.scheme) for r in routes(spec)] == [
        ("GET", "op", "jwt"),
        ("OPTIONS", "o", None),
        ("ANY", "", "jwt"),
    ]
    secured = secured_spec({"/x": {"options": operation("users")}})
    with pytest.raises(SpecError, match=r"OPTIONS /x .* preflights"):
        routes(secured)
