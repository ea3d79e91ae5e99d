"""Every error is application/problem+json with the request id, and a 500 reveals nothing."""

from __future__ import annotations

import dataclasses

import pytest
from starlette.testclient import TestClient

from api.functions.builders import local_app
from api.users.service import UserService
from dev.fakes import InMemoryUserRepository
from tests.api.problems import assert_problem
from tests.identity import bearer, verify

USER = "/users/00000000-0000-4000-8000-000000000000"


class FailingRepository(InMemoryUserRepository):
    def get(self, user_id, now_s):
        raise RuntimeError("boom: table arn:aws:dynamodb:secret ada@example.com")


def test_an_unknown_path_is_404(client):
    assert_problem(client.get("/nothing/here"), 404, "no resource")


def test_a_method_the_path_lacks_is_405_with_allow(client):
    response = client.put("/users", json={})
    assert_problem(response, 405)
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_a_body_that_is_not_json_is_415(client):
    response = client.post("/users", content="email=a", headers={"Content-Type": "text/plain"})
    assert_problem(response, 415)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b'{"email": ', "not valid JSON"),
        (b"\xff\xfe{}", "UTF-8"),
        (b'{"email": "a@b.c", "email": "d@e.f", "name": "x"}', "repeats"),
        (b'{"name": NaN}', "NaN"),
        (b"[" * 5000 + b"]" * 5000, "nested"),
        (b"[]", "the body must be a JSON object"),
    ],
)
def test_a_malformed_json_body_is_400(client, body, detail):
    response = client.post("/users", content=body, headers={"Content-Type": "application/json"})
    assert_problem(response, 400, detail)
    assert client.get("/users").json()["items"] == []


def test_a_body_over_the_limit_is_413_and_stores_nothing(client, settings):
    padding = "x" * settings.max_body_bytes
    response = client.post("/users", json={"email": "a@b.c", "name": "x", "department": padding})
    assert_problem(response, 413, str(settings.max_body_bytes))
    assert client.get("/users").json()["items"] == []


def test_an_unexpected_error_is_a_500_problem_without_internals(settings, capsys):
    app = local_app(settings, users=UserService(FailingRepository()), authenticate=verify)
    with TestClient(app, headers=bearer(), raise_server_exceptions=False) as client:
        response = client.get(USER)

    body = assert_problem(response, 500)
    assert body["detail"] == "The server could not complete the request."
    assert "boom" not in response.text
    assert "arn:" not in response.text
    assert body["requestId"] in capsys.readouterr().out  # the log has the details under the id


def test_every_response_carries_a_distinct_request_id(client):
    ids = {
        client.get("/health").headers["x-request-id"],
        client.get("/nothing").headers["x-request-id"],
        client.get("/users").headers["x-request-id"],
    }
    assert len(ids) == 3


def test_an_oversized_header_is_431_and_stores_nothing(client):
    response = client.post(
        "/users", json={"email": "a@b.c", "name": "x"}, headers={"X-Padding": "x" * 9000}
    )
    assert_problem(response, 431, "8192")
    assert client.get("/users").json()["items"] == []


def test_headers_over_the_total_limit_are_431(client):
    headers = {f"X-Padding-{i}": "x" * 4000 for i in range(5)}
    assert_problem(client.get("/users", headers=headers), 431, "16384")


def test_local_cors_allows_exactly_what_the_spec_uses(settings):
    local = dataclasses.replace(settings, allowed_origins=("http://localhost:3000",))
    with TestClient(local_app(local, authenticate=verify), headers=bearer()) as client:
        preflight = client.options(
            "/users/00000000-0000-4000-8000-000000000000",
            headers={
                "Origin": "http://localhost:3000",
                "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "if-match, idempotency-key, content-type",
            },
        )
        simple = client.get("/health", headers={"Origin": "http://localhost:3000"})

    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert set(preflight.headers["access-control-allow-methods"].split(", ")) == {
        "GET",
        "POST",
        "PATCH",
        "DELETE",
    }
    assert {"if-match", "idempotency-key", "content-type"} <= set(
        preflight.headers["access-control-allow-headers"].lower().split(", ")
    )
    assert {"etag", "location", "x-request-id", "idempotent-replayed"} <= set(
        name.strip() for name in simple.headers["access-control-expose-headers"].split(",")
    )


def test_a_name_the_client_sent_shows_its_invisible_characters_escaped(client):
    response = client.get("/users", params={"a\r\nSet-Cookie: x\u202e": "1"})
    detail = assert_problem(response, 400)["detail"]
    assert "\\u000d\\u000aSet-Cookie: x\\u202e" in detail
    assert "\r" not in detail
    assert "\u202e" not in detail
