"""One structured JSON line per request, carrying no personal data."""

from __future__ import annotations

import dataclasses
import json

import pytest
from starlette.testclient import TestClient

from api.functions.builders import local_app, users_function
from tests.events import FakeLambdaContext, make_http_event
from tests.identity import bearer, verify
from tests.transfers import upload

EMAIL, NAME = "secret.person@example.com", "Very Secret Name"


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, log_level="INFO")


@pytest.fixture
def client(settings):
    with TestClient(local_app(settings, authenticate=verify), headers=bearer()) as client:
        yield client


def output_lines(capsys):
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def log_lines(capsys):
    return output_lines(capsys)


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


def test_no_output_of_a_full_flow_carries_personal_data_bodies_credentials_or_urls(client, capsys):
    capsys.readouterr()
    auth = bearer()
    credentials = auth["Authorization"].removeprefix("Bearer ").split(".")
    created = client.post(
        "/users", json={"email": EMAIL, "name": NAME, "department": "Dept X"}, headers=auth
    )
    user_path = f"/users/{created.json()['userId']}"
    client.post("/users", json={"email": EMAIL, "name": NAME}, headers=auth)  # 409
    client.post("/users", json={"email": "broken", "name": NAME})  # 400
    client.get("/users", params={"email": EMAIL}, headers=auth)
    client.patch(user_path, json={"name": "Other Secret"}, headers={"If-Match": '"9"'})  # 412
    client.patch(user_path, json={"name": "Other Secret"}, headers=auth)
    asset = client.post(
        "/assets",
        json={
            "fileName": "Medical record of Jane.pdf",
            "contentType": "application/pdf",
            "size": 4,
        },
        headers={**auth, "Idempotency-Key": "secret-key-1"},
    ).json()
    upload(asset["upload"], b"text")
    download_url = client.get(f"/assets/{asset['assetId']}/download").json()["url"]
    client.delete(f"/assets/{asset['assetId']}", headers=auth)
    client.delete(user_path, headers=auth)

    captured = capsys.readouterr()
    output = captured.out + captured.err

    secrets = [EMAIL, "secret.person", NAME, "Dept X", "Other Secret", "Medical record", "Jane"]
    secrets += [auth["Authorization"], *credentials, "secret-key-1"]
    secrets += [asset["upload"]["fields"]["policy"], asset["upload"]["fields"]["x-amz-signature"]]
    secrets += [download_url, download_url.split("Signature=")[1], "X-Amz-Credential"]
    for secret in secrets:
        assert secret not in output
    assert output.count('"event": "request"') == 10


def test_each_request_line_carries_embedded_metrics_for_count_latency_and_errors(client, capsys):
    capsys.readouterr()
    client.post("/users", json={"email": EMAIL, "name": NAME})
    client.post("/users", json={"email": EMAIL, "name": NAME})

    metrics = [line for line in output_lines(capsys) if line["event"] == "request"]

    assert [(m["operation"], m["Requests"], m["ClientErrors"]) for m in metrics] == [
        ("createUser", [1.0], [0.0]),
        ("createUser", [1.0], [1.0]),
    ]
    (directive,) = metrics[0]["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "UsersAssetsApi"
    assert {m["Name"] for m in directive["Metrics"]} == {
        "Requests",
        "Latency",
        "ClientErrors",
        "ServerErrors",
    }
    assert metrics[0]["Latency"][0] > 0


def test_the_first_lambda_request_of_a_process_is_logged_as_a_cold_start(settings, capsys):
    handler = users_function(settings)
    capsys.readouterr()
    handler(make_http_event(path="/health"), FakeLambdaContext())
    handler(make_http_event(path="/health", request_id="second"), FakeLambdaContext())

    lines = log_lines(capsys)
    assert [(line["request_id"], line["cold_start"]) for line in lines] == [
        ("apigw-request-1", True),
        ("second", False),
    ]
    assert lines[0]["route"] == "/health"
