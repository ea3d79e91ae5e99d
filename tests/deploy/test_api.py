"""The HTTP API: routes and CORS from openapi.yaml, throttling and origins from parameters."""

from __future__ import annotations

from pathlib import Path

from api.resources import FUNCTIONS, function_for_tag
from api.web.docs import DOCUMENT_PATHS
from deploy.api_definition import (
    BEGIN_MARKER,
    TEMPLATE_PATH,
    api_definition,
    update_template,
)
from tests.deploy.stack import names_referenced


def function_of(operation):
    """The logical id of the one function of api/resources.py serving `operation`'s tags."""
    (function,) = {function_for_tag(tag) for tag in operation["tags"]}
    assert function is not None, operation["operationId"]
    return function.logical_id


HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def spec_operations(openapi):
    """(METHOD, path) -> operation, for every operation of the spec."""
    return {
        (method.upper(), path): operation
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def resolve(openapi, node):
    """`node`, or what its local `$ref` points at."""
    while "$ref" in node:
        target = openapi
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_every_operation_of_the_spec_is_routed_to_the_function_that_implements_it(
    openapi, deployed
):
    stack = deployed.stack
    routes = stack.api_routes()
    for (method, path), operation in spec_operations(openapi).items():
        tag = deployed.function_id(function_of(operation))
        assert (method, path) in routes, f"{method} {path} has no route"
        target = stack.invoked(routes[method, path]["uri"])
        assert target == tag, f"{method} {path} goes to {target}, not {tag}"


def test_the_api_has_no_route_the_spec_lacks(openapi, stack):
    fallbacks = {(method, path) for path in openapi["paths"] for method in ("ANY", "OPTIONS")}
    documents = {("GET", path) for path in DOCUMENT_PATHS}
    extra = set(stack.api_routes()) - set(spec_operations(openapi)) - fallbacks - documents
    assert not extra


def test_every_path_sends_the_methods_it_lacks_to_its_function_which_answers_405(openapi, deployed):
    routes = deployed.stack.api_routes()
    for (_method, path), operation in spec_operations(openapi).items():
        function = deployed.function_id(function_of(operation))
        assert deployed.stack.invoked(routes["ANY", path]["uri"]) == function


def test_every_path_sends_cors_preflights_to_its_function_which_answers_them(openapi, deployed):
    # The path's ANY route would catch them, and it may need a token that preflights lack.
    routes = deployed.stack.api_routes()
    for (_method, path), operation in spec_operations(openapi).items():
        function = deployed.function_id(function_of(operation))
        assert deployed.stack.invoked(routes["OPTIONS", path]["uri"]) == function


def test_every_route_is_a_lambda_proxy_integration_with_payload_format_2_0(deployed):
    for route, integration in deployed.stack.api_routes().items():
        assert integration["type"] == "aws_proxy", route
        assert integration["httpMethod"] == "POST", route
        assert integration["payloadFormatVersion"] == "2.0", route
        assert ":lambda:path/2015-03-31/functions/" in integration["uri"]["Fn::Sub"], route


def test_api_gateway_may_invoke_each_function_it_routes_to_from_this_api_only(deployed):
    stack = deployed.stack
    routed = {stack.invoked(i["uri"]) for i in stack.api_routes().values()}
    allowed = {}
    for permission in stack.of_type("AWS::Lambda::Permission").values():
        properties = permission["Properties"]
        if properties["Principal"] == "apigateway.amazonaws.com":
            allowed[stack.invoked(properties["FunctionName"])] = properties["SourceArn"]
    assert routed <= set(allowed)
    assert set(allowed) <= {deployed.function_id(f.logical_id) for f in FUNCTIONS.values()}
    for source_arn in allowed.values():
        assert names_referenced(source_arn) == {
            "HttpApi",
            "AWS::Partition",
            "AWS::Region",
            "AWS::AccountId",
        }


def test_cors_allows_the_origins_parameter_and_the_methods_and_headers_the_spec_uses(
    openapi, stack
):
    (api,) = stack.of_type("AWS::ApiGatewayV2::Api").values()
    cors = api["Properties"]["Body"]["x-amazon-apigateway-cors"]
    operations = spec_operations(openapi).values()
    parameters = [
        resolve(openapi, parameter)
        for holder in [*openapi["paths"].values(), *operations]
        for parameter in holder.get("parameters", [])
    ]
    header_parameters = {p["name"].lower() for p in parameters if p["in"] == "header"}
    response_headers = {
        name.lower()
        for operation in operations
        for response in operation["responses"].values()
        for name in resolve(openapi, response).get("headers", {})
    }

    assert cors["allowOrigins"] == {"Ref": "AllowedOrigins"}
    assert set(cors["allowMethods"]) == {method for method, _ in spec_operations(openapi)}
    assert {"content-type", *header_parameters} <= set(cors["allowHeaders"])
    assert {"x-request-id", *response_headers} <= set(cors["exposeHeaders"])


def test_the_application_leaves_cors_to_api_gateway(stack):
    for function in stack.of_type("AWS::Lambda::Function").values():
        assert function["Properties"]["Environment"]["Variables"]["ALLOWED_ORIGINS"] == ""


def test_default_route_throttling_comes_from_the_parameters(stack, sam_template):
    (stage,) = stack.of_type("AWS::ApiGatewayV2::Stage").values()
    settings = stage["Properties"]["DefaultRouteSettings"]
    assert settings["ThrottlingBurstLimit"] == {"Ref": "ThrottlingBurstLimit"}
    assert settings["ThrottlingRateLimit"] == {"Ref": "ThrottlingRateLimit"}
    parameters = sam_template["Parameters"]
    assert {"AllowedOrigins", "ThrottlingBurstLimit", "ThrottlingRateLimit"} <= set(parameters)


def test_api_access_logs_go_to_a_log_group_with_a_retention(stack):
    (stage,) = stack.of_type("AWS::ApiGatewayV2::Stage").values()
    (group,) = names_referenced(stage["Properties"]["AccessLogSettings"]["DestinationArn"])
    assert stack.resources[group]["Type"] == "AWS::Logs::LogGroup"
    assert stack.properties(group)["RetentionInDays"] == {"Ref": "LogRetentionInDays"}


def test_the_api_definition_in_the_template_is_the_one_generated_from_openapi_yaml(openapi):
    template = Path(TEMPLATE_PATH).read_text(encoding="utf-8")
    assert BEGIN_MARKER in template
    assert update_template(template, api_definition(openapi)) == template, (
        "template.yaml is stale: run `python -m deploy.api_definition` after changing openapi.yaml"
    )
