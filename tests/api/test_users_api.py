"""The users operations over HTTP, through the Connexion app, against the emulator."""

from __future__ import annotations

import re

import pytest

from tests.api.problems import assert_problem

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def create(client, **fields):
    body = {"email": "ada@example.com", "name": "Ada Lovelace", **fields}
    return client.post("/users", json=body)


def test_create_returns_201_with_the_user_location_and_etag(client):
    response = create(client, email="  Ada@Example.COM ", department="Engineering")

    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    user = response.json()
    assert response.headers["location"] == f"/users/{user['userId']}"
    assert response.headers["etag"] == '"1"'
    assert user == {
        "userId": user["userId"],
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "department": "Engineering",
        "createdAt": user["createdAt"],
        "updatedAt": user["createdAt"],
    }
    assert TIMESTAMP.match(user["createdAt"])


def test_create_with_expiry_returns_it_in_utc(client):
    response = create(client, expiresAt="2099-01-01T01:00:00+01:00")
    assert response.status_code == 201
    assert response.json()["expiresAt"] == "2099-01-01T00:00:00Z"


def test_get_returns_the_user_with_its_etag(client):
    created = create(client).json()

    response = client.get(f"/users/{created['userId']}")

    assert response.status_code == 200
    assert response.json() == created
    assert response.headers["etag"] == '"1"'


def test_get_of_an_unknown_user_is_404(client):
    assert_problem(client.get("/users/00000000-0000-4000-8000-000000000000"), 404, "no user")


def test_create_with_a_taken_email_in_another_case_is_409_and_stores_nothing_more(client):
    create(client)

    assert_problem(create(client, email="ADA@example.com", name="Other"), 409, "email")
    assert len(client.get("/users").json()["items"]) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Ada"}, "email"),
        ({"email": "ada@example.com"}, "name"),
        ({"email": "not-an-email", "name": "Ada"}, "email"),
        ({"email": "ada@example.com", "name": ""}, "name"),
        ({"email": "ada@example.com", "name": "x" * 201}, "name"),
        ({"email": "ada@example.com", "name": "Ada", "department": "d" * 101}, "department"),
        ({"email": "ada@example.com", "name": "Ada", "expiresAt": "tomorrow"}, "expiresAt"),
        ({"email": "ada@example.com", "name": "Ada", "userId": "x"}, "userId"),
        ({"email": "ada@example.com", "name": "Ada", "createdAt": "x"}, "createdAt"),
        ({"email": "ada@example.com", "name": "Ada", "role": "admin"}, "role"),
        ({"email": "ada@example.com", "name": 5}, "name"),
    ],
)
def test_create_with_an_invalid_body_is_400_naming_the_field_and_stores_nothing(
    client, body, field
):
    assert_problem(client.post("/users", json=body), 400, field)
    assert client.get("/users").json() == {"items": [], "nextCursor": None}


def test_create_with_an_expiry_in_the_past_is_400(client):
    assert_problem(create(client, expiresAt="2001-01-01T00:00:00Z"), 400, "expiresAt")
    assert client.get("/users").json()["items"] == []


def test_patch_changes_fields_returns_the_new_etag_and_null_removes(client):
    user = create(client, department="Eng").json()

    response = client.patch(f"/users/{user['userId']}", json={"name": "Ada L.", "department": None})

    assert response.status_code == 200
    assert response.headers["etag"] == '"2"'
    changed = response.json()
    assert changed["name"] == "Ada L."
    assert "department" not in changed
    assert changed["createdAt"] == user["createdAt"]
    assert client.get(f"/users/{user['userId']}").json() == changed


def test_patch_with_a_stale_if_match_is_412_and_changes_nothing(client):
    user = create(client).json()
    path = f"/users/{user['userId']}"
    client.patch(path, json={"name": "B"}, headers={"If-Match": '"1"'})

    assert_problem(client.patch(path, json={"name": "C"}, headers={"If-Match": '"1"'}), 412)
    assert client.get(path).json()["name"] == "B"


def test_patch_to_a_taken_email_is_409_and_the_old_email_stays(client):
    ada = create(client).json()
    create(client, email="bob@example.com", name="Bob")

    assert_problem(client.patch(f"/users/{ada['userId']}", json={"email": "bob@example.com"}), 409)
    assert client.get(f"/users/{ada['userId']}").json()["email"] == "ada@example.com"


def test_patch_of_an_email_frees_the_old_one(client):
    ada = create(client).json()
    client.patch(f"/users/{ada['userId']}", json={"email": "ada@new.example"})
    assert create(client, name="Second Ada").status_code == 201


@pytest.mark.parametrize(
    "body",
    [{}, {"userId": "x"}, {"updatedAt": "2030-01-01T00:00:00Z"}, {"email": None}, {"name": None}],
)
def test_patch_with_an_invalid_body_is_400_and_changes_nothing(client, body):
    user = create(client).json()
    assert_problem(client.patch(f"/users/{user['userId']}", json=body), 400)
    assert client.get(f"/users/{user['userId']}").json() == user


def test_patch_of_an_unknown_user_is_404(client):
    response = client.patch("/users/00000000-0000-4000-8000-000000000000", json={"name": "x"})
    assert_problem(response, 404)


def test_delete_is_204_frees_the_email_and_then_404(client):
    user = create(client).json()
    path = f"/users/{user['userId']}"

    response = client.delete(path)

    assert response.status_code == 204
    assert response.content == b""
    assert_problem(client.get(path), 404)
    assert_problem(client.delete(path), 404)
    assert create(client).status_code == 201


def test_delete_with_a_stale_if_match_is_412_and_keeps_the_user(client):
    user = create(client).json()
    path = f"/users/{user['userId']}"
    assert_problem(client.delete(path, headers={"If-Match": '"9"'}), 412)
    assert client.get(path).status_code == 200


def test_list_pages_newest_first_with_an_opaque_cursor(client):
    ids = [create(client, email=f"u{i}@example.com").json()["userId"] for i in range(5)]

    seen, cursor = [], None
    for _ in range(3):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/users", params=params).json()
        seen += [u["userId"] for u in page["items"]]
        cursor = page["nextCursor"]
    assert seen == list(reversed(ids))
    assert cursor is None


def test_paging_lists_every_user_that_exists_throughout_once_newest_first(client):
    users = [create(client, email=f"u{i}@example.com").json() for i in range(30)]
    newest_first = sorted(users, key=lambda u: (u["createdAt"], u["userId"]), reverse=True)
    renamed, deleted = newest_first[20], newest_first[25]

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        page = client.get("/users", params=params).json()
        seen += [u["userId"] for u in page["items"]]
        cursor, pages = page.get("nextCursor"), pages + 1
        if cursor is None:
            break
        if pages == 1:  # meanwhile: a rename, a delete and a new user
            path = f"/users/{renamed['userId']}"
            assert client.patch(path, json={"name": "Renamed"}).status_code == 200
            assert client.delete(f"/users/{deleted['userId']}").status_code == 204
            create(client, email="late@example.com")

    throughout = [u["userId"] for u in newest_first if u is not deleted]
    assert [i for i in seen if i in throughout] == throughout
    assert len(seen) == len(set(seen))
    assert pages == 5


def test_list_defaults_to_20_items(client):
    for i in range(21):
        create(client, email=f"u{i}@example.com")
    page = client.get("/users").json()
    assert len(page["items"]) == 20
    assert page["nextCursor"]


def test_list_by_email_and_department(client):
    ada = create(client, department="Eng").json()
    create(client, email="bob@example.com", department="Ops")

    assert client.get("/users", params={"email": "ADA@example.com"}).json()["items"] == [ada]
    assert client.get("/users", params={"department": "Eng"}).json()["items"] == [ada]
    assert client.get("/users", params={"email": "x@example.com"}).json()["items"] == []


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "not base64!"}, "cursor"),
        ({"email": "x" * 300}, "email"),
        ({"sort": "name"}, "sort"),
    ],
)
def test_list_with_invalid_parameters_is_400_naming_them(client, params, name):
    assert_problem(client.get("/users", params=params), 400, name)


@pytest.mark.parametrize("cursor", ["e30", "eyJ2IjoxLCJxIjoiIiwicCI6e319", "AAAA", "abc"])
def test_list_with_a_forged_or_corrupted_cursor_is_400(client, cursor):
    assert_problem(client.get("/users", params={"cursor": cursor}), 400, "cursor")


def test_list_with_a_cursor_from_other_filters_is_400(client):
    for i in range(3):
        create(client, email=f"u{i}@example.com", department="Eng")
    cursor = client.get("/users", params={"limit": 1, "department": "Eng"}).json()["nextCursor"]

    response = client.get("/users", params={"limit": 1, "department": "Ops", "cursor": cursor})
    assert_problem(response, 400, "other filters")


def test_health_is_200_ok(client):
    response = client.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_the_spec_is_served_as_json_and_the_docs_as_html(client):
    assert client.get("/openapi.json").json()["openapi"] == "3.0.3"
    docs = client.get("/ui/")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def test_delete_answers_204_without_a_content_type(client):
    user = create(client).json()
    response = client.delete(f"/users/{user['userId']}")
    assert response.status_code == 204
    assert "content-type" not in response.headers


def test_the_docs_offer_the_bearer_scheme_to_authorize_with_and_keep_the_token(client):
    schemes = client.get("/openapi.json").json()["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    config = client.get("/ui/swagger-ui-config.json").json()
    assert config["persistAuthorization"] is True
