"""One structured JSON line per request, carrying no personal data."""

from __future__ import annotations

import dataclasses
import json

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.lambda_entry import lambda_handler
from tests.events import FakeLambdaContext, make_http_event

EMAIL, NAME = "secret.person@example.com", "Very Secret Name"


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, log_level="INFO")


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as client:
        yield client


def log_lines(capsys):
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_each_request_logs_one_json_line_with_its_id_route_status_and_duration(client, capsys):
    capsys.readouterr()
    created = client.post("/users", json={"email": EMAIL, "name": NAME})
    user_path = f"/users/{created.json()['userId']}"
    responses = [
        created,
        client.get(user_path),
        client.patch(user_path, json={"department": "Hidden Dept"}, headers={"If-Match": '"1"'}),
        client.get("/users", params={"email": EMAIL}),
        client.post("/users", json={"email": EMAIL, "name": NAME}),  # 409
        client.delete(user_path),
        client.get("/no/such/path"),
    ]

    lines = [line for line in log_lines(capsys) if line["event"] == "request"]

    assert [line["request_id"] for line in lines] == [r.headers["x-request-id"] for r in responses]
    assert [line["status"] for line in lines] == [201, 200, 200, 200, 409, 204, 404]
    assert [line["route"] for line in lines] == [
        "/users",
        "/users/{userId}",
        "/users/{userId}",
        "/users",
        "/users",
        "/users/{userId}",
        None,
    ]
    assert lines[0]["operation"] == "createUser"
    for line in lines:
        assert line["level"] == "info"
        assert isinstance(line["duration_ms"], float | int)
        assert {"method", "cold_start", "timestamp"} <= set(line)


def test_no_log_line_carries_an_email_a_name_or_a_body(client, capsys):
    capsys.readouterr()
    created = client.post("/users", json={"email": EMAIL, "name": NAME, "department": "Dept X"})
    client.post("/users", json={"email": EMAIL, "name": NAME})
    client.post("/users", json={"email": "broken", "name": NAME})
    client.patch(f"/users/{created.json()['userId']}", json={"name": "Other Secret"})

    output = capsys.readouterr().out

    for secret in (EMAIL, "secret.person", NAME, "Dept X", "Other Secret"):
        assert secret not in output
    assert output.count('"event": "request"') == 4


def test_the_first_lambda_request_of_a_process_is_logged_as_a_cold_start(settings, capsys):
    handler = lambda_handler(lambda: create_app(settings))
    capsys.readouterr()
    handler(make_http_event(path="/health"), FakeLambdaContext())
    handler(make_http_event(path="/health", request_id="second"), FakeLambdaContext())

    lines = log_lines(capsys)
    assert [(line["request_id"], line["cold_start"]) for line in lines] == [
        ("apigw-request-1", True),
        ("second", False),
    ]
    assert lines[0]["route"] == "/health"
