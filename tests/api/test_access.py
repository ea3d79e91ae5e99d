"""Who may do what: every cell of the README's table, requested of the local app by an
anonymous caller, another caller, the owner and an administrator."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from starlette.testclient import TestClient

from api.functions.builders import local_app
from api.paths import ROOT
from tests.api.problems import assert_problem
from tests.identity import ADMIN, ALICE, BOB, bearer, verify
from tests.transfers import upload

COLUMNS = ("anonymous", "another caller", "the owner", "an administrator")
CALLERS = {"anonymous": None, "another caller": BOB, "the owner": ALICE, "an administrator": ADMIN}
ROW = re.compile(r"^\| `(GET|POST|PATCH|DELETE) (/[^`]*)` \|(.*)\|$")


@dataclass(frozen=True)
class Cell:
    method: str
    path: str
    caller: str
    status: int
    own_only: bool

    def __str__(self) -> str:
        return f"{self.method} {self.path} by {self.caller}"


def table() -> list[Cell]:
    """The cells of the README's "Who may do what" table."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Who may do what", 1)[1].split("\n### ", 1)[0]
    cells = []
    for line in section.splitlines():
        match = ROW.match(line)
        if match is None:
            continue
        method, path, rest = match.groups()
        values = [value.strip() for value in rest.split("|")]
        assert len(values) == len(COLUMNS), line
        for column, value in zip(COLUMNS, values, strict=True):
            status = int(value.split(",")[0])
            cells.append(Cell(method, path, column, status, value.endswith("its own only")))
    return cells


CELLS = table()


def test_the_table_covers_every_operation_of_the_spec():
    from api.spec import load_spec, operations

    rows = {(cell.method, cell.path) for cell in CELLS}
    assert rows == {(method, path) for method, path, _, _ in operations(load_spec())}


@pytest.fixture
def app(settings):
    return local_app(settings, authenticate=verify)


@pytest.fixture
def http(app) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def as_caller(name: str) -> dict[str, str]:
    subject = CALLERS[name]
    return {} if subject is None else bearer(subject)


def alices_resources(http: TestClient) -> dict[str, str]:
    """A user record of Alice's (made by an administrator) and an uploaded asset of hers."""
    user = http.post(
        "/users",
        json={"email": "alice@example.com", "name": "Alice", "subject": ALICE},
        headers=bearer(ADMIN),
    )
    assert user.status_code == 201, user.text
    created = http.post(
        "/assets",
        json={"fileName": "a.txt", "contentType": "text/plain", "size": 5},
        headers=bearer(ALICE),
    )
    assert created.status_code == 201, created.text
    asset = created.json()
    assert upload(asset["upload"], b"hello") == 204
    return {"userId": user.json()["userId"], "assetId": asset["assetId"]}


BODIES = {
    ("POST", "/users"): {"email": "new@example.com", "name": "New"},
    ("PATCH", "/users/{userId}"): {"name": "Changed"},
    ("POST", "/assets"): {"fileName": "b.txt", "contentType": "text/plain", "size": 3},
}


@pytest.mark.parametrize("cell", CELLS, ids=str)
def test_each_cell_of_the_table_is_what_the_api_answers(http, cell):
    ids = alices_resources(http)
    path = cell.path.format(**ids)
    body = BODIES.get((cell.method, cell.path))
    response = http.request(cell.method, path, json=body, headers=as_caller(cell.caller))

    if cell.status >= 400:
        problem = assert_problem(response, cell.status)
        if cell.status == 401:
            assert response.headers["www-authenticate"].startswith("Bearer ")
        if cell.status == 404:
            # Exactly what an id that never existed answers: no existence oracle.
            never = cell.path.format(
                userId="00000000-0000-4000-8000-000000000000",
                assetId="00000000-0000-4000-8000-000000000000",
            )
            other = http.request(cell.method, never, json=body, headers=as_caller(cell.caller))
            assert assert_problem(other, 404)["detail"] == problem["detail"]
        return
    assert response.status_code == cell.status, response.text
    if cell.own_only:
        owners = {item["ownerId"] for item in response.json()["items"]}
        assert owners == ({CALLERS[cell.caller]} if cell.caller == "the owner" else set())


@pytest.mark.parametrize("cell", [c for c in CELLS if c.status == 404], ids=str)
def test_a_refused_change_changes_nothing(http, cell):
    ids = alices_resources(http)
    path = cell.path.format(**ids)
    body = BODIES.get((cell.method, cell.path))
    http.request(cell.method, path, json=body, headers=as_caller(cell.caller))

    resource = "/users/{userId}" if cell.path.startswith("/users") else "/assets/{assetId}"
    after = http.get(resource.format(**ids), headers=bearer(ALICE))
    assert after.status_code == 200
    assert after.json().get("name", "Alice") == "Alice"


def test_a_user_record_names_its_subject_and_it_cannot_be_changed(http):
    ids = alices_resources(http)
    own = http.get(f"/users/{ids['userId']}", headers=bearer(ALICE))
    assert own.json()["subject"] == ALICE
    response = http.patch(f"/users/{ids['userId']}", json={"subject": BOB}, headers=bearer(ADMIN))
    assert_problem(response, 400, "subject")


def test_an_administrator_lists_only_its_own_assets_and_reads_others_by_id(http):
    ids = alices_resources(http)
    listing = http.get("/assets", headers=bearer(ADMIN)).json()
    assert listing["items"] == []
    assert http.get(f"/assets/{ids['assetId']}", headers=bearer(ADMIN)).json()["ownerId"] == ALICE


def test_a_cursor_continues_only_the_listing_of_the_caller_it_was_issued_to(http):
    for n in range(3):
        http.post(
            "/assets",
            json={"fileName": f"{n}.txt", "contentType": "text/plain", "size": 1},
            headers=bearer(ALICE),
        )
    cursor = http.get("/assets", params={"limit": 1}, headers=bearer(ALICE)).json()["nextCursor"]
    assert cursor
    mine = http.get("/assets", params={"limit": 1, "cursor": cursor}, headers=bearer(ALICE))
    assert mine.status_code == 200
    theirs = http.get("/assets", params={"limit": 1, "cursor": cursor}, headers=bearer(BOB))
    assert_problem(theirs, 400, "other filters")


def test_an_admins_users_cursor_is_of_no_use_to_another_admin(http):
    for n in range(2):
        http.post("/users", json={"email": f"u{n}@example.com", "name": "U"}, headers=bearer(ADMIN))
    cursor = http.get("/users", params={"limit": 1}, headers=bearer(ADMIN)).json()["nextCursor"]
    other = http.get(
        "/users", params={"limit": 1, "cursor": cursor}, headers=bearer("admin-2", admin=True)
    )
    assert_problem(other, 400, "other filters")


def test_one_idempotency_key_sent_by_two_callers_makes_two_resources(http):
    body = {"fileName": "same.txt", "contentType": "text/plain", "size": 2}
    key = {"Idempotency-Key": "shared-key-1"}
    alices = http.post("/assets", json=body, headers={**bearer(ALICE), **key})
    bobs = http.post("/assets", json=body, headers={**bearer(BOB), **key})
    assert (alices.status_code, bobs.status_code) == (201, 201)
    assert "idempotent-replayed" not in bobs.headers
    assert alices.json()["assetId"] != bobs.json()["assetId"]
    assert bobs.json()["ownerId"] == BOB
    replay = http.post("/assets", json=body, headers={**bearer(ALICE), **key})
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json()["assetId"] == alices.json()["assetId"]


def test_the_owner_of_a_user_record_may_not_change_its_email(http):
    ids = alices_resources(http)
    http.post("/users", json={"email": "bob@example.com", "name": "Bob"}, headers=bearer(ADMIN))
    path = f"/users/{ids['userId']}"
    # Neither a taken nor a free address: either answer would tell which emails are taken.
    for email in ("bob@example.com", "free@example.com"):
        response = http.patch(path, json={"email": email}, headers=bearer(ALICE))
        assert_problem(response, 403, "Only administrators may change a user's email.")
    same = http.patch(path, json={"email": "ALICE@example.com", "name": "A"}, headers=bearer(ALICE))
    assert same.status_code == 200
    assert (
        http.patch(path, json={"email": "a2@example.com"}, headers=bearer(ADMIN)).status_code == 200
    )


def test_a_replay_of_an_administrators_creation_by_a_demoted_caller_is_403(http):
    key = {"Idempotency-Key": "create-1"}
    body = {"email": "c@example.com", "name": "C"}
    assert (
        http.post("/users", json=body, headers={**bearer(ALICE, admin=True), **key}).status_code
        == 201
    )
    replay = http.post("/users", json=body, headers={**bearer(ALICE), **key})
    assert_problem(replay, 403, "Only administrators may create users.")


@pytest.mark.parametrize("field", ["name", "department"])
def test_a_text_field_ending_in_a_newline_is_refused(http, field):
    body = {"email": "n@example.com", "name": "N", field: "Eve\n"}
    response = http.post("/users", json=body, headers=bearer(ADMIN))
    assert_problem(response, 400, field)
