"""The Node runner (dev/node_runner.mjs, dev/node_functions.py), with a stub handler: one
long-lived process per function, the template's environment, Lambda's context, failures."""

from __future__ import annotations

import json
import time

import pytest

from api.resources import FUNCTIONS
from dev.gateway import FunctionError, HttpApiGateway, LambdaContext, Request
from dev.node_functions import LAMBDA_VARIABLES, template_variables
from tests.identity import ALICE, token, verify


def invoke(function, **headers):
    result = function({"headers": headers, "rawPath": "/users"}, LambdaContext(function.name))
    return json.loads(result["body"])


def test_each_function_answers_every_event_from_one_process_that_loaded_its_bundle_once(
    stub_functions,
):
    users = stub_functions["UsersFunction"]
    first, second = invoke(users), invoke(users)

    assert first["loadedAt"] == second["loadedAt"]
    assert first["event"] == {"headers": {}, "rawPath": "/users"}
    assert first["context"]["functionName"] == "UsersFunction"
    assert first["context"]["memoryLimitInMB"] == "512"
    assert 0 < first["context"]["remaining"] <= 30_000
    assert first["context"]["awsRequestId"] != second["context"]["awsRequestId"]


@pytest.mark.parametrize("function", FUNCTIONS.values(), ids=lambda f: f.logical_id)
def test_each_function_sees_the_variables_the_template_gives_it_with_the_tests_settings(
    stub_functions, settings, function
):
    environment = invoke(stub_functions[function.logical_id])["environment"]

    optional = {"CURSOR_KEY_PREVIOUS"}  # set only during a key rotation
    assert set(template_variables(function.logical_id)) - optional <= set(environment)
    for resource in function.resources:
        if resource.env.endswith("_TABLE"):
            assert environment[resource.env] == settings.table(resource.key)
        elif resource.env.endswith("_BUCKET"):
            assert environment[resource.env] == settings.bucket(resource.key)
    assert environment["CURSOR_KEY"] == settings.cursor_keys[0].decode()
    assert environment["ALLOWED_ORIGINS"] == ""
    assert environment["AWS_ENDPOINT_URL"] == settings.aws_endpoint_url
    assert environment["AWS_LAMBDA_FUNCTION_NAME"] == function.logical_id
    assert LAMBDA_VARIABLES.items() <= environment.items()
    assert "PATH" not in environment
    assert "HOME" not in environment


def test_a_handler_that_throws_fails_the_invocation_and_its_process_answers_the_next(
    stub_functions,
):
    users = stub_functions["UsersFunction"]
    before = invoke(users)["loadedAt"]

    with pytest.raises(FunctionError, match="the stub was asked to fail"):
        invoke(users, **{"x-stub": "throw"})
    assert invoke(users)["loadedAt"] == before


def test_a_process_that_ends_fails_its_invocation_and_a_new_one_answers_the_next(
    stub_functions,
):
    users = stub_functions["UsersFunction"]
    before = invoke(users)["loadedAt"]

    with pytest.raises(FunctionError, match="exit code 3"):
        invoke(users, **{"x-stub": "exit"})
    assert invoke(users)["loadedAt"] != before


def test_an_invocation_still_running_at_the_timeout_fails_and_a_new_process_answers_the_next(
    stub_functions,
):
    users = stub_functions["UsersFunction"]
    before = invoke(users)["loadedAt"]
    almost_over = LambdaContext("UsersFunction", deadline=time.monotonic() + 0.2)

    with pytest.raises(FunctionError, match="timed out"):
        users({"headers": {"x-stub": "hang"}}, almost_over)
    assert invoke(users)["loadedAt"] != before


def test_the_gateway_answers_a_failed_invocation_500_as_api_gateway_does(stub_functions):
    gateway = HttpApiGateway(stub_functions, verify)
    headers = [("authorization", f"Bearer {token(ALICE)}"), ("x-stub", "throw")]

    answer = gateway(Request("GET", "/users", headers=headers))

    assert (answer.status, answer.body) == (500, b'{"message":"Internal Server Error"}')
