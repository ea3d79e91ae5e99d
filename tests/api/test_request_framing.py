"""What a body must be before an operation sees it: a media type parsed as RFC 9110 writes
it, a body read whole however it is framed, JSON the store can hold, errors in words."""

from __future__ import annotations

import json

import pytest

from api.functions.builders import users_function
from tests.api.problems import assert_problem
from tests.events import FakeLambdaContext, make_http_event

USER = {"email": "ada@example.com", "name": "Ada"}
BODY = json.dumps(USER).encode()


def stored_users(client):
    return client.get("/users").json()["items"]


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "Application/JSON",
        "APPLICATION/JSON; CHARSET=UTF-8",
        "application/json ; charset=utf-8",
        'application/json;charset="utf-8"',
        "application/json;",
    ],
)
def test_every_spelling_of_json_is_json(client, content_type):
    response = client.post("/users", content=BODY, headers={"Content-Type": content_type})
    assert response.status_code == 201, response.text
    assert response.json()["email"] == "ada@example.com"


@pytest.mark.parametrize(
    ("content_type", "detail"),
    [
        ("text/plain", "Content-type"),
        ("application/json; charset=latin-1", "UTF-8"),
        ("application/json; charset", "media type"),
        ("json", "media type"),
        ("application/json, text/plain", "media type"),
    ],
)
def test_a_body_that_is_not_json_in_utf_8_is_415_and_stores_nothing(client, content_type, detail):
    response = client.post("/users", content=BODY, headers={"Content-Type": content_type})
    assert_problem(response, 415, detail)
    assert stored_users(client) == []


def test_a_body_without_a_content_type_is_415_and_stores_nothing(client):
    response = client.post("/users", content=BODY, headers={"Content-Type": ""})
    # An empty header is no media type either; and with none at all:
    assert_problem(response, 415)
    request = client.build_request("POST", "/users", content=BODY)
    assert "content-type" not in request.headers
    assert_problem(client.send(request), 415, "Content-Type")
    assert stored_users(client) == []


def test_a_chunked_body_is_read_whole(client):
    response = client.post(
        "/users", content=iter([BODY[:10], BODY[10:]]), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 201, response.text


def test_a_chunked_body_over_the_limit_is_413_and_stores_nothing(client, settings):
    chunks = iter([b'{"email": "a@b.c", "name": "', b"x" * settings.max_body_bytes, b'"}'])
    response = client.post("/users", content=chunks, headers={"Content-Type": "application/json"})
    assert_problem(response, 413)
    assert stored_users(client) == []


def test_a_lambda_event_with_a_body_and_no_content_length_is_served(settings):
    event = make_http_event(method="POST", body=USER)
    del event["headers"]["content-length"]
    response = users_function(settings)(event, FakeLambdaContext())
    assert response["statusCode"] == 201, response


def test_a_number_of_thousands_of_digits_is_400_naming_its_field(client):
    body = b'{"fileName": "a.txt", "contentType": "text/plain", "size": ' + b"9" * 5000 + b"}"
    response = client.post("/assets", content=body, headers={"Content-Type": "application/json"})
    assert_problem(response, 400, "'size'")
    assert client.get("/assets").json()["items"] == []


@pytest.mark.parametrize("field", ["name", "department"])
def test_a_lone_surrogate_is_400_naming_its_field_and_stores_nothing(client, field):
    body = json.dumps({**USER, field: "Ada \ud800"}).encode()  # json.dumps writes "\ud800"
    response = client.post("/users", content=body, headers={"Content-Type": "application/json"})
    assert_problem(response, 400, f"'{field}'")
    assert stored_users(client) == []


@pytest.mark.parametrize("limit", ["1_0", "\u0661\u0660", "+5", " 5", "5.0", "0x5"])
def test_a_limit_that_is_not_ascii_digits_is_400(client, limit):
    assert_problem(client.get("/users", params={"limit": limit}), 400, "'limit'")


def test_errors_name_the_field_in_json_terms_and_never_echo_the_value(client):
    cases = [
        ({**USER, "email": None}, "'email' must be a string"),
        ({**USER, "name": True}, "'name' must be a string"),
        ({**USER, "department": {"$ne": None}}, "'department' must be a string"),
        ({"name": "Ada"}, 'the required member "email"'),
        ({**USER, "role": "admin"}, 'does not take: "role"'),
        ({**USER, "email": "x" * 60_000}, "'email' must be at most 254 characters long"),
    ]
    for body, detail in cases:
        problem = assert_problem(client.post("/users", json=body), 400, detail)
        assert len(problem["detail"]) <= 300
        for python in ("None", "True", "{'"):
            assert python not in problem["detail"]


def test_every_detail_is_bounded_even_when_it_names_what_the_client_sent(client):
    problem = assert_problem(client.get("/users", params={"x" * 5000: "1"}), 400, "xxx")
    assert len(problem["detail"]) <= 300


def test_an_id_that_is_not_a_uuid_is_400_saying_what_it_must_be(client):
    assert_problem(client.get("/users/not-an-id"), 400, "path parameter 'userId' must be a lower")
