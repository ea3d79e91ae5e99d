"""Who may call: every operation the spec secures goes through the HTTP API's JWT authorizer,
whose issuer and audience are the stack's Cognito user pool or the parameters' issuer."""

from __future__ import annotations

import re

import pytest

from api.spec import HTTP_METHODS
from tests.deploy.stack import Deployment, names_referenced

COGNITO_ISSUER = {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"}
EXTERNAL_ISSUER = "https://issuer.example.com/"
# What the tests deploy with: AllowedOrigins has no default.
ORIGINS = {"AllowedOrigins": "https://app.example.com"}
EXTERNAL = {**ORIGINS, "JwtIssuer": EXTERNAL_ISSUER, "JwtAudience": "api-1,api-2"}
THROUGH_THE_AUTHORIZER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def effective_security(openapi, operation):
    """The operation's security requirements: its own, or else the spec's."""
    return operation.get("security", openapi.get("security", []))


def spec_operations(openapi):
    return {
        (method.upper(), path): operation
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def authorizer_of(stack, scheme="bearerAuth"):
    return stack.api_body["components"]["securitySchemes"][scheme]


def test_the_spec_secures_its_operations_with_a_bearer_jwt_except_get_health(openapi):
    # What the routing tests below rely on, so that they cannot pass by having nothing to check.
    secured = {
        operation["operationId"]
        for operation in spec_operations(openapi).values()
        if effective_security(openapi, operation)
    }
    assert "getHealth" not in secured
    assert secured == {o["operationId"] for o in spec_operations(openapi).values()} - {"getHealth"}
    scheme = openapi["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


def test_every_secured_operation_of_the_spec_is_routed_through_the_jwt_authorizer(openapi, stack):
    operations = stack.api_operations()
    for route, operation in spec_operations(openapi).items():
        expected = THROUGH_THE_AUTHORIZER if effective_security(openapi, operation) else None
        assert operations[route].get("security") == expected, route


def test_get_health_needs_no_token(stack):
    assert "security" not in stack.api_operations()["GET", "/health"]
    assert "security" not in stack.api_operations()["ANY", "/health"]


def test_the_methods_a_path_lacks_need_a_token_where_its_operations_do(openapi, stack):
    operations = stack.api_operations()
    for path, item in openapi["paths"].items():
        secured = {
            bool(effective_security(openapi, operation))
            for method, operation in item.items()
            if method in HTTP_METHODS
        }
        assert len(secured) == 1, path
        expected = THROUGH_THE_AUTHORIZER if secured == {True} else None
        assert operations["ANY", path].get("security") == expected, path


def test_cors_preflights_need_no_token_on_any_path(openapi, stack):
    # API Gateway answers preflights itself only where no route catches OPTIONS; the ANY
    # routes would, and would refuse the preflight, which carries no token.
    operations = stack.api_operations()
    for path in openapi["paths"]:
        assert "security" not in operations["OPTIONS", path], path
    assert "authorization" in stack.api_body["x-amazon-apigateway-cors"]["allowHeaders"]


def test_only_the_routes_the_spec_secures_or_their_fallbacks_use_the_authorizer(openapi, stack):
    secured = {
        route for route, operation in stack.api_operations().items() if operation.get("security")
    }
    spec_secured = {
        route
        for route, operation in spec_operations(openapi).items()
        if effective_security(openapi, operation)
    }
    assert secured - {route for route in secured if route[0] == "ANY"} == spec_secured


def test_the_authorizer_verifies_jwts_from_the_authorization_header(stack):
    scheme = authorizer_of(stack)
    assert scheme["type"] == "oauth2"  # how API Gateway's import spells a JWT authorizer
    authorizer = scheme["x-amazon-apigateway-authorizer"]
    assert authorizer["type"] == "jwt"
    assert authorizer["identitySource"] == "$request.header.Authorization"
    assert set(authorizer["jwtConfiguration"]) == {"issuer", "audience"}


def test_by_default_the_authorizer_trusts_the_stacks_user_pool_and_its_app_client(stack):
    deployed = stack.deployed(**ORIGINS)
    configuration = authorizer_of(deployed)["x-amazon-apigateway-authorizer"]["jwtConfiguration"]
    assert configuration == {"issuer": COGNITO_ISSUER, "audience": [{"Ref": "UserPoolClient"}]}
    assert deployed.resources["UserPool"]["Type"] == "AWS::Cognito::UserPool"
    assert deployed.resources["UserPoolClient"]["Type"] == "AWS::Cognito::UserPoolClient"
    assert deployed.template["Outputs"]["TokenIssuer"]["Value"] == COGNITO_ISSUER


def test_with_another_issuer_the_authorizer_trusts_it_and_no_user_pool_is_made(stack):
    deployed = stack.deployed(**EXTERNAL)
    configuration = authorizer_of(deployed)["x-amazon-apigateway-authorizer"]["jwtConfiguration"]
    assert configuration == {"issuer": EXTERNAL_ISSUER, "audience": ["api-1", "api-2"]}
    assert not deployed.of_type("AWS::Cognito::UserPool")
    assert not [t for t in {r["Type"] for r in deployed.resources.values()} if "Cognito" in t]
    outputs = deployed.template["Outputs"]
    assert outputs["TokenIssuer"]["Value"] == EXTERNAL_ISSUER
    assert not {"UserPoolId", "UserPoolClientId", "AuthUrl"} & set(outputs)


@pytest.mark.parametrize("parameters", [ORIGINS, EXTERNAL], ids=["cognito", "external issuer"])
def test_nothing_refers_to_a_resource_that_the_parameters_leave_out(stack, parameters):
    deployed = stack.deployed(**parameters)
    known = set(deployed.resources) | set(deployed.template["Parameters"])
    for name, resource in [*deployed.resources.items(), *deployed.template["Outputs"].items()]:
        referenced = {n for n in names_referenced(resource) if not n.startswith("AWS::")}
        depends_on = resource.get("DependsOn", [])
        referenced |= {depends_on} if isinstance(depends_on, str) else set(depends_on)
        assert referenced <= known, f"{name} refers to {referenced - known}"


def test_another_issuer_without_an_audience_is_refused_before_anything_is_deployed(stack):
    def refused(**parameters):
        return Deployment(stack.template, {**ORIGINS, **parameters}).broken_rules()

    assert refused() == []
    assert refused(JwtIssuer=EXTERNAL_ISSUER, JwtAudience="api-1") == []
    assert refused(JwtIssuer=EXTERNAL_ISSUER) != []
    assert refused(JwtIssuer=EXTERNAL_ISSUER, JwtAudience="api-1,") != []


def test_the_issuer_parameter_is_empty_or_an_https_url(sam_template):
    parameter = sam_template["Parameters"]["JwtIssuer"]
    assert parameter["Default"] == ""
    pattern = re.compile(parameter["AllowedPattern"])
    assert pattern.fullmatch("")
    assert pattern.fullmatch("https://login.microsoftonline.com/tenant/v2.0")
    assert not pattern.fullmatch("http://issuer.example.com/")
    assert not pattern.fullmatch("https://issuer.example.com/ x")
