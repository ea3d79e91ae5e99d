"""`make run`'s terminal: one short line per request with the problem's detail, or with
LOG_FORMAT=json the JSON lines of the Lambda functions."""

from __future__ import annotations

import json
import re

import pytest
from starlette.testclient import TestClient

from dev.app import create_local_app
from dev.log_lines import UnknownLogFormat, log_format, short_line


@pytest.fixture
def client(worker_env):
    auth = {"Authorization": f"Bearer {worker_env().token('ada', admin=True)}"}
    with TestClient(create_local_app(), headers=auth) as client:
        yield client


def lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_each_request_is_one_short_line_with_status_route_duration_id_and_caller(client, capsys):
    capsys.readouterr()
    created = client.post("/users", json={"email": "ada@example.com", "name": "Ada"})
    read = client.get(f"/users/{created.json()['userId']}")

    first, second = lines(capsys)

    request_id = created.headers["x-request-id"][:8]
    assert re.fullmatch(rf"201 POST /users (\d+|<1) ms {request_id} ada", first)
    request_id = read.headers["x-request-id"][:8]
    assert re.fullmatch(rf"200 GET /users/{{userId}} (\d+|<1) ms {request_id} ada", second)


def test_a_refused_request_s_line_carries_the_problem_s_detail(client, capsys):
    capsys.readouterr()
    refused = client.post("/users", json={"email": "nope", "name": "Ada"})
    client.get("/no/such/path")

    bad, missing = lines(capsys)

    assert bad.startswith("400 POST /users ")
    assert bad.endswith(f"{refused.headers['x-request-id'][:8]} ada — {refused.json()['detail']}")
    assert missing.startswith("404 GET /no/such/path ")
    assert missing.endswith(" - — There is no resource at this path.")


def test_with_log_format_json_the_lines_are_the_lambda_functions_json(
    worker_env, monkeypatch, capsys
):
    monkeypatch.setenv("LOG_FORMAT", "json")
    with TestClient(create_local_app()) as client:
        capsys.readouterr()
        response = client.get("/health")

    (line,) = (json.loads(line) for line in lines(capsys))
    assert (line["event"], line["status"], line["route"]) == ("request", 200, "/health")
    assert line["request_id"] == response.headers["x-request-id"]
    assert "_aws" in line


def test_another_log_format_is_refused_naming_the_choices():
    assert log_format({}) == "short"
    with pytest.raises(UnknownLogFormat, match="LOG_FORMAT must be one of short, json, not 'xml'"):
        log_format({"LOG_FORMAT": "xml"})


def test_an_error_event_shows_its_fields_and_traceback():
    try:
        raise ValueError("the cause")
    except ValueError as exc:
        error = exc
    event = {
        "event": "unhandled_error",
        "level": "error",
        "request_id": "5bef6bff-35ac",
        "error_type": "ValueError",
        "exc_info": error,
    }

    line = short_line(None, "error", event)

    heading, *trace = line.splitlines()
    assert heading == "ERROR unhandled_error 5bef6bff error_type=ValueError"
    assert trace[0] == "Traceback (most recent call last):"
    assert trace[-1] == "ValueError: the cause"


def test_the_local_pages_the_app_does_not_serve_have_their_line_too(client, capsys):
    capsys.readouterr()
    for path in ("/", "/openapi.json", "/.well-known/jwks.json"):
        assert client.get(path).status_code == 200

    written = lines(capsys)

    assert [line.split(" ms ")[0].rsplit(" ", 1)[0] for line in written] == [
        "200 GET /",
        "200 GET /openapi.json",
        "200 GET /.well-known/jwks.json",
    ]
    assert all(line.endswith(" ms - -") for line in written)
