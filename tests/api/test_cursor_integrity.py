"""Cursors over HTTP and Lambda events: every instance of every function built from the same
settings accepts the others' cursors; an edited, truncated, unsigned or foreign-key cursor
answers 400 naming the cursor, for users and assets alike."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from api.functions.builders import assets_function, local_app, users_function
from api.rules.cursors import TAG_BYTES, CursorCodec
from tests.api.problems import assert_problem
from tests.events import FakeLambdaContext, make_http_event
from tests.identity import ADMIN, bearer, verify

OTHER_KEY = b"another deployment's cursor key, 32+ bytes"
# openapi.yaml's example cursors before cursors were signed: what a client may still hold.
UNSIGNED_V1 = {
    "/users": "eyJwIjp7ImNyZWF0ZWRBdCI6MTc5NTY4NTQwMDAwMCwidXNlcklkIjoiM2YyYjljMWUtOGQ0YS00ZjZiLTlh"
    "N2UtMmMxZDBlNWY0YTNiIn0sInEiOiI4MzY2YzE3ZmQzMDI3ZTAzIiwidiI6MX0",
    "/assets": "eyJwIjp7ImFzc2V0SWQiOiI5YjJlNmYwYS0zYzRkLTRlNWYtOGE3Yi0xYzJkM2U0ZjVhNmIiLCJjcmVhdG"
    "VkQXQiOjE3OTU2ODU0MDAwMDB9LCJxIjoiNDY3ODkyMDU1YmUxNTk2ZiIsInYiOjF9",
}
LISTINGS = ("/users", "/assets")


@pytest.fixture
def client(settings) -> Iterator[TestClient]:
    with TestClient(local_app(settings, authenticate=verify), headers=bearer()) as client:
        yield client


def fill(client: TestClient, listing: str, count: int = 3) -> None:
    for i in range(count):
        body: dict[str, Any]
        if listing == "/users":
            body = {"email": f"u{i}@example.com", "name": "U"}
        else:
            body = {"fileName": f"{i}.txt", "contentType": "text/plain", "size": 1}
        assert client.post(listing, json=body).status_code == 201


def first_cursor(client: TestClient, listing: str) -> str:
    fill(client, listing)
    cursor = client.get(listing, params={"limit": 1}).json()["nextCursor"]
    assert isinstance(cursor, str)
    return cursor


def unpadded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decoded(cursor: str) -> bytes:
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))


def edited(cursor: str) -> str:
    """The cursor with its position moved on and re-encoded, its tag kept."""
    raw = decoded(cursor)
    payload = json.loads(raw[:-TAG_BYTES])
    position = payload["p"]
    if "shards" in position:  # a users listing's: one shard read again from its start
        position["shards"][position["shards"].index("done")] = None
    else:
        position["createdAt"] -= 1
    text = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return unpadded(text + raw[-TAG_BYTES:])


@pytest.mark.parametrize("listing", LISTINGS)
def test_the_cursor_a_page_gives_leads_to_the_next_page(client, listing):
    cursor = first_cursor(client, listing)
    page = client.get(listing, params={"limit": 1, "cursor": cursor})
    assert page.status_code == 200
    assert len(page.json()["items"]) == 1


@pytest.mark.parametrize("listing", LISTINGS)
@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(edited, id="edited-and-re-encoded"),
        pytest.param(lambda c: c[:-1], id="truncated-by-one"),
        pytest.param(lambda c: c[:-22], id="tag-cut-off"),
        pytest.param(lambda c: unpadded(decoded(c)[:-TAG_BYTES]), id="tag-dropped"),
        pytest.param(lambda c: c[:-1] + ("A" if c[-1] != "A" else "B"), id="last-char-changed"),
    ],
)
def test_a_tampered_cursor_is_400_naming_the_cursor(client, listing, tamper):
    cursor = first_cursor(client, listing)
    response = client.get(listing, params={"limit": 1, "cursor": tamper(cursor)})
    assert_problem(response, 400, "The cursor is not one this API issued.")


@pytest.mark.parametrize("listing", LISTINGS)
def test_an_unsigned_cursor_of_the_old_format_is_400(client, listing):
    response = client.get(listing, params={"cursor": UNSIGNED_V1[listing]})
    assert_problem(response, 400, "The cursor is not one this API issued.")


def test_a_signed_users_cursor_of_the_format_before_list_shards_is_400(settings, client):
    fill(client, "/users")
    before_shards = CursorCodec(settings.cursor_keys).encode(
        {"caller": ADMIN, "department": None, "email": None},
        {"userId": "3f2b9c1e-8d4a-4f6b-9a7e-2c1d0e5f4a3b", "createdAt": 1795685400000},
    )

    response = client.get("/users", params={"limit": 1, "cursor": before_shards})

    assert_problem(response, 400, "The cursor is not one this API issued.")


@pytest.mark.parametrize("listing", LISTINGS)
def test_a_cursor_of_another_deployments_key_is_400(settings, listing):
    other = dataclasses.replace(settings, cursor_keys=(OTHER_KEY,))
    with (
        TestClient(local_app(other, authenticate=verify), headers=bearer()) as issuer,
        TestClient(local_app(settings, authenticate=verify), headers=bearer()) as client,
    ):
        cursor = first_cursor(issuer, listing)
        response = client.get(listing, params={"limit": 1, "cursor": cursor})
    assert_problem(response, 400, "The cursor is not one this API issued.")


@pytest.mark.parametrize("listing", LISTINGS)
def test_while_a_key_is_rotated_cursors_of_the_previous_key_still_work(settings, listing):
    before = dataclasses.replace(settings, cursor_keys=(OTHER_KEY,))
    during = dataclasses.replace(settings, cursor_keys=(*settings.cursor_keys, OTHER_KEY))
    with (
        TestClient(local_app(before, authenticate=verify), headers=bearer()) as issuer,
        TestClient(local_app(during, authenticate=verify), headers=bearer()) as client,
    ):
        cursor = first_cursor(issuer, listing)
        response = client.get(listing, params={"limit": 1, "cursor": cursor})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("build", "listing"), [(users_function, "/users"), (assets_function, "/assets")]
)
def test_two_instances_of_a_function_accept_each_others_cursors(settings, build, listing):
    one, other = build(settings), build(settings)
    with TestClient(local_app(settings, authenticate=verify), headers=bearer()) as client:
        fill(client, listing)

    def page(handler, **query) -> dict[str, Any]:
        event = make_http_event(path=listing, query=urlencode({"limit": 1, **query}))
        response = handler(event, FakeLambdaContext())
        assert response["statusCode"] == 200, response
        raw = response["body"]
        if response.get("isBase64Encoded"):
            raw = base64.b64decode(raw).decode()
        return json.loads(raw)

    cursor = page(one)["nextCursor"]
    assert len(page(other, cursor=cursor)["items"]) == 1
