"""The Lambda entry point: real-shaped API Gateway events through Mangum and the app."""

from __future__ import annotations

import base64
import json
from unittest.mock import Mock

import pytest

from api.functions.builders import users_function
from api.functions.runtime import lambda_handler
from api.settings import MissingSetting
from tests.events import (
    FakeLambdaContext,
    fresh_import,
    make_http_event,
    make_rest_event,
    make_warmup_event,
)


@pytest.fixture
def handler(settings):
    return users_function(settings)


def body_of(response):
    raw = response["body"]
    if response.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    return json.loads(raw) if raw else None


def test_an_http_api_v2_create_then_get_round_trip(handler):
    created = handler(
        make_http_event(method="POST", body={"email": "ada@example.com", "name": "Ada"}),
        FakeLambdaContext(),
    )
    assert created["statusCode"] == 201
    user = body_of(created)
    assert created["headers"]["location"] == f"/users/{user['userId']}"
    assert created["headers"]["x-request-id"] == "apigw-request-1"

    fetched = handler(make_http_event(path=f"/users/{user['userId']}"), FakeLambdaContext())
    assert (fetched["statusCode"], body_of(fetched)) == (200, user)
    assert fetched["headers"]["etag"] == '"1"'


def test_an_http_api_v2_query_string_reaches_the_operation(handler):
    for email in ("a@example.com", "b@example.com"):
        handler(make_http_event(method="POST", body={"email": email, "name": "X"}), None)

    response = handler(make_http_event(query="limit=1"), FakeLambdaContext())

    page = body_of(response)
    assert response["statusCode"] == 200
    assert len(page["items"]) == 1
    assert page["nextCursor"]


def test_a_rest_api_v1_event_is_served_too(handler):
    response = handler(
        make_rest_event(method="POST", body={"email": "ada@example.com", "name": "Ada"}),
        FakeLambdaContext(),
    )
    assert response["statusCode"] == 201
    assert body_of(response)["email"] == "ada@example.com"
    assert response["headers"]["x-request-id"] == "rest-request-1"


def test_an_invalid_request_through_lambda_is_a_problem_with_the_gateway_request_id(handler):
    response = handler(make_http_event(method="POST", body={"name": "Ada"}), FakeLambdaContext())

    assert response["statusCode"] == 400
    assert response["headers"]["content-type"] == "application/problem+json"
    assert body_of(response)["requestId"] == "apigw-request-1"


def test_a_body_larger_than_its_declared_length_is_still_refused_with_413(handler, settings):
    body = {"email": "a@b.c", "name": "x" * settings.max_body_bytes}
    event = make_http_event(method="POST", body=body, headers={"content-length": "10"})

    response = handler(event, FakeLambdaContext())

    assert response["statusCode"] == 413
    assert body_of(response)["status"] == 413


def test_the_app_is_built_during_init_and_a_warmup_ping_then_returns_at_once():
    build_app = Mock()
    handler = lambda_handler(build_app)
    build_app.assert_called_once_with()

    assert handler(make_warmup_event(), FakeLambdaContext()) == {"warmed": True}
    build_app.assert_called_once_with()


def test_the_module_handler_reads_its_settings_from_the_environment(settings, monkeypatch):
    monkeypatch.setenv("USERS_TABLE", settings.table("users"))
    monkeypatch.setenv("IDEMPOTENCY_TABLE", settings.table("idempotency"))
    monkeypatch.setenv("RATE_LIMITS_TABLE", settings.table("rate_limits"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", settings.aws_endpoint_url)
    monkeypatch.setenv("CURSOR_KEY", "tests only: a cursor key of 32 bytes or more")
    monkeypatch.setenv("AWS_REGION", settings.region)

    response = fresh_import("api.functions.users").handler(
        make_http_event(method="POST", body={"email": "env@example.com", "name": "Env"}),
        FakeLambdaContext(),
    )

    assert response["statusCode"] == 201


def test_the_module_handler_refuses_to_start_without_its_table_names(monkeypatch):
    monkeypatch.delenv("USERS_TABLE", raising=False)
    monkeypatch.setenv("IDEMPOTENCY_TABLE", "Idempotency-prod")

    with pytest.raises(MissingSetting, match="USERS_TABLE"):
        fresh_import("api.functions.users")


def test_the_users_function_serves_no_assets_operation(handler):
    response = handler(make_http_event(path="/assets"), FakeLambdaContext())

    assert response["statusCode"] == 404
    assert body_of(response)["status"] == 404


def test_a_method_the_path_lacks_is_405_with_allow_through_the_any_route(handler):
    response = handler(make_http_event(method="PUT", path="/users"), FakeLambdaContext())

    assert response["statusCode"] == 405
    assert response["headers"]["allow"] == "GET, HEAD, POST"
    assert body_of(response)["status"] == 405


def test_a_cors_preflight_is_answered_204_for_api_gateway_to_add_its_cors_headers(handler):
    preflight = make_http_event(
        method="OPTIONS",
        path="/users",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
    )

    response = handler(preflight, FakeLambdaContext())

    assert response["statusCode"] == 204
    assert "access-control-allow-origin" not in response["headers"]


def test_a_preflight_of_an_unknown_path_is_404(handler):
    preflight = make_http_event(
        method="OPTIONS",
        path="/nowhere",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"},
    )
    assert handler(preflight, FakeLambdaContext())["statusCode"] == 404
