"""Work every request would repeat is done once per process: decorating the operations and
compiling the validators' schemas."""

from __future__ import annotations

import dataclasses
from typing import Any

from connexion.apps.asynchronous import AsyncOperation

from api.web import validation
from api.web.seams import DecoratedOnce, path_parameters_in_operations
from bench.handlers import app_with_fakes
from bench.workload import body_of
from tests.events import FakeLambdaContext, make_http_event

USER = {"email": "ada@example.com", "name": "Ada"}


def serve_users_requests(times: int, handler=None) -> list[int]:
    handler = handler or app_with_fakes("users")[0]
    statuses = []
    for i in range(times):
        created = handler(
            make_http_event(method="POST", path="/users", body={**USER, "email": f"u{i}@e.com"}),
            FakeLambdaContext(),
        )
        listed = handler(make_http_event(path="/users", query="limit=5"), FakeLambdaContext())
        refused = handler(
            make_http_event(method="POST", path="/users", body={}), FakeLambdaContext()
        )
        statuses += [created["statusCode"], listed["statusCode"], refused["statusCode"]]
    return statuses


def test_each_operation_is_decorated_on_its_first_request_only(monkeypatch):
    decorations: list[object] = []
    original = DecoratedOnce.decorate

    def counting(self, function):
        decorations.append(function)
        return original(self, function)

    monkeypatch.setattr(DecoratedOnce, "decorate", counting)

    assert serve_users_requests(4) == [201, 200, 400] * 4
    # The warm-up decorated getHealth and createUser; the first requests listUsers.
    assert len(decorations) == 3


def test_connexions_operations_use_the_decorated_once_property():
    assert AsyncOperation.fn.fget.__name__ == "_decorated_once"


def test_the_validators_schemas_are_compiled_once_per_process(monkeypatch):
    compiled = []
    for schemas in (validation.PARAMETER_SCHEMAS, validation.BODY_SCHEMAS):
        make = schemas._make

        def counting(schema, make=make):
            compiled.append(schema)
            return make(schema)

        monkeypatch.setattr(schemas, "_make", counting)
    handler, _ = app_with_fakes("users")
    serve_users_requests(1, handler)
    after_one = len(compiled)

    serve_users_requests(3, handler)

    assert after_one > 0
    assert len(compiled) == after_one


def test_a_path_parameter_is_validated_once_per_request(monkeypatch):
    validated: list[tuple[str, str]] = []
    original = validation.NamingParameterValidator.validate_parameter

    def counting(self, parameter_type, value, param, param_name=None):
        validated.append((parameter_type, param["name"]))
        return original(self, parameter_type, value, param, param_name)

    handler, _ = app_with_fakes("users")
    created = handler(make_http_event(method="POST", path="/users", body=USER), FakeLambdaContext())
    user_id = body_of(created)["userId"]
    monkeypatch.setattr(validation.NamingParameterValidator, "validate_parameter", counting)

    response = handler(make_http_event(path=f"/users/{user_id}"), FakeLambdaContext())

    assert response["statusCode"] == 200
    assert validated.count(("path", "userId")) == 1


def test_path_level_parameters_move_into_each_operation_and_the_operations_own_win():
    shared = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    own = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    header = {"$ref": "#/components/parameters/H"}
    spec: dict[str, Any] = {
        "components": {"parameters": {"H": {"name": "h", "in": "header"}}},
        "paths": {
            "/x/{id}": {
                "parameters": [shared, header],
                "get": {"operationId": "a"},
                "put": {"operationId": "b", "parameters": [own]},
            }
        },
    }

    moved = path_parameters_in_operations(spec)["paths"]["/x/{id}"]

    assert "parameters" not in moved
    assert moved["get"]["parameters"] == [shared, header]
    assert moved["put"]["parameters"] == [own, header]
    assert spec["paths"]["/x/{id}"]["parameters"] == [shared, header]
    assert "parameters" not in spec["paths"]["/x/{id}"]["get"]


def test_each_parameter_name_is_sanitized_once_per_process(monkeypatch):
    from connexion.decorators import parameter

    # The app's operations take pythonic parameter names (pythonic calls sanitized).
    sanitized: list[str] = []
    original = parameter.pythonic

    def counting(value):
        sanitized.append(value)
        return original(value)

    monkeypatch.setattr(parameter, "pythonic", counting)

    handler = app_with_fakes("users")[0]
    assert serve_users_requests(1, handler) == [201, 200, 400]
    first = list(sanitized)
    sanitized.clear()

    # The same requests again (the user exists now: 409).
    assert serve_users_requests(1, handler) == [409, 200, 400]
    assert "limit" in first
    assert sanitized == []


def test_building_a_lambda_app_leaves_the_next_ones_middlewares_as_they_were(settings):
    from api.functions.builders import users_function
    from api.web.app import LAMBDA_MIDDLEWARES

    before = list(LAMBDA_MIDDLEWARES)
    for _ in range(2):
        users_function(dataclasses.replace(settings, rate_limit_per_minute=5))

    assert before == LAMBDA_MIDDLEWARES
