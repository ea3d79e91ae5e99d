"""HTTP as RFC 9110 writes it: conditional requests, Allow, HEAD, and the headers every
response carries."""

from __future__ import annotations

import dataclasses

import pytest
from starlette.testclient import TestClient

from api.functions.builders import local_app
from tests.api.problems import assert_problem
from tests.identity import bearer, verify

USER = {"email": "ada@example.com", "name": "Ada"}


@pytest.fixture
def user(client):
    response = client.post("/users", json=USER)
    assert response.status_code == 201
    return response.json(), response.headers["etag"]


@pytest.mark.parametrize("condition", ["{etag}", "*", "W/{etag}", '"7", {etag}'])
def test_a_get_whose_if_none_match_names_the_current_etag_is_304_without_a_body(
    client, user, condition
):
    body, etag = user
    response = client.get(
        f"/users/{body['userId']}", headers={"If-None-Match": condition.format(etag=etag)}
    )
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    assert "content-type" not in response.headers
    assert response.headers["x-request-id"]


def test_a_get_whose_if_none_match_names_another_etag_is_200(client, user):
    body, _ = user
    response = client.get(f"/users/{body['userId']}", headers={"If-None-Match": '"99"'})
    assert (response.status_code, response.json()) == (200, body)


@pytest.mark.parametrize("condition", ["*", "{etag}"])
def test_a_change_whose_if_none_match_holds_the_current_etag_is_412_and_changes_nothing(
    client, user, condition
):
    body, etag = user
    header = {"If-None-Match": condition.format(etag=etag)}
    path = f"/users/{body['userId']}"
    assert_problem(client.patch(path, json={"name": "B"}, headers=header), 412, "If-None-Match")
    assert_problem(client.delete(path, headers=header), 412, "If-None-Match")
    assert client.get(path).json() == body


def test_a_change_whose_if_none_match_names_another_etag_is_made(client, user):
    body, _ = user
    response = client.patch(
        f"/users/{body['userId']}", json={"name": "B"}, headers={"If-None-Match": '"99"'}
    )
    assert response.status_code == 200
    assert response.json()["name"] == "B"


ENTITY_TAGS_EXPECTED = 'must be an entity tag such as "3" (quoted, as the ETag is)'


@pytest.mark.parametrize("value", ["1", '"1', "W/1", 'w/"1"', '"1";"2"', '"1" "2"', '"1",'])
def test_an_if_match_that_is_not_entity_tags_is_400_naming_the_header(client, user, value):
    body, _ = user
    path = f"/users/{body['userId']}"
    header = {"If-Match": value}

    patched = client.patch(path, json={"name": "B"}, headers=header)
    deleted = client.delete(path, headers=header)

    assert_problem(patched, 400, f"If-Match {ENTITY_TAGS_EXPECTED}")
    assert_problem(deleted, 400, f"If-Match {ENTITY_TAGS_EXPECTED}")
    assert client.get(path).json() == body


@pytest.mark.parametrize("value", ["1", "**", '"1" x'])
def test_an_if_none_match_that_is_not_entity_tags_is_400_naming_the_header(client, user, value):
    body, _ = user
    path = f"/users/{body['userId']}"
    header = {"If-None-Match": value}

    for response in (
        client.get(path, headers=header),
        client.patch(path, json={"name": "B"}, headers=header),
        client.delete(path, headers=header),
    ):
        assert_problem(response, 400, f"If-None-Match {ENTITY_TAGS_EXPECTED}")
    assert client.get(path).json() == body


@pytest.mark.parametrize("value", ['"1"', ' "1" ', '"2", "1"', '"2",\t"1"', 'W/"2", "1"', "*"])
def test_an_if_match_of_entity_tags_is_a_condition_and_the_change_is_made(client, user, value):
    body, _ = user
    response = client.patch(
        f"/users/{body['userId']}", json={"name": "B"}, headers={"If-Match": value}
    )
    assert response.status_code == 200
    assert response.json()["name"] == "B"


def test_allow_names_head_beside_get_and_head_is_served(client):
    response = client.put("/users")
    assert_problem(response, 405)
    assert response.headers["allow"] == "GET, HEAD, POST"
    head = client.head("/users")
    assert head.status_code == 200
    assert head.content == b""


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/users", None),
        ("POST", "/users", USER),
        ("POST", "/assets", {"fileName": "a.txt", "contentType": "text/plain", "size": 1}),
        ("GET", "/nowhere", None),
        ("POST", "/users", {"name": 1}),
    ],
)
def test_every_response_is_nosniff_and_never_stored_by_a_cache(client, method, path, body):
    response = client.request(method, path, json=body)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_a_cors_preflight_from_a_foreign_origin_is_a_problem(settings):
    local = dataclasses.replace(settings, allowed_origins=("http://localhost:3000",))
    with TestClient(local_app(local, authenticate=verify), headers=bearer()) as client:
        response = client.options(
            "/users",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
    assert_problem(response, 403, "origin")
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("path", ["/assets/", "/users/", "/health/"])
def test_a_trailing_slash_is_a_404_problem_never_a_redirect_built_from_the_host(client, path):
    response = client.post(path, headers={"Host": "evil.example"}, json={})
    assert_problem(response, 404, "no resource at this path")
    assert "location" not in response.headers
