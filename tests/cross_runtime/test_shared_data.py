"""Data written by one runtime is read, changed, paged and replayed by the other, on one
emulator: both read and write the items of contract/DATA.md, and sign cursors alike."""

from __future__ import annotations

import uuid

from tests.contract.gateway import BASE_URL

USER = {"email": "ada@example.com", "name": "Ada Lovelace", "department": "Engines"}
ASSET = {"fileName": "notes.txt", "contentType": "text/plain", "size": 5}


def test_a_user_written_by_one_runtime_reads_the_same_on_the_other(runtimes):
    first, second = runtimes
    created = first.post(f"{BASE_URL}/users", json=USER)
    assert created.status_code == 201, created.text
    location = BASE_URL + created.headers["location"]

    on_first, on_second = first.get(location), second.get(location)

    assert on_second.status_code == 200, on_second.text
    assert on_second.json() == on_first.json() == created.json()
    assert on_second.headers["etag"] == on_first.headers["etag"] == created.headers["etag"]


def test_a_user_changed_by_the_other_runtime_with_the_first_ones_etag_is_changed_for_both(
    runtimes,
):
    first, second = runtimes
    created = first.post(f"{BASE_URL}/users", json=USER)
    location = BASE_URL + created.headers["location"]

    changed = second.patch(
        location, json={"name": "Ada King"}, headers={"If-Match": created.headers["etag"]}
    )
    stale = first.patch(
        location, json={"name": "Ada Byron"}, headers={"If-Match": created.headers["etag"]}
    )

    assert changed.status_code == 200, changed.text
    assert stale.status_code == 412, stale.text
    reread = first.get(location)
    assert reread.json() == changed.json()
    assert reread.json()["name"] == "Ada King"
    assert reread.headers["etag"] == changed.headers["etag"]


def test_a_page_cursor_of_one_runtime_continues_the_listing_on_the_other(runtimes):
    first, second = runtimes
    for number in range(3):
        made = first.post(f"{BASE_URL}/users", json={**USER, "email": f"u{number}@example.com"})
        assert made.status_code == 201, made.text
    whole = first.get(f"{BASE_URL}/users", params={"limit": 3}).json()["items"]

    page = first.get(f"{BASE_URL}/users", params={"limit": 1}).json()
    rest = second.get(f"{BASE_URL}/users", params={"limit": 2, "cursor": page["nextCursor"]})

    assert rest.status_code == 200, rest.text
    assert [user["userId"] for user in page["items"] + rest.json()["items"]] == [
        user["userId"] for user in whole
    ]


def test_a_create_replayed_on_the_other_runtime_answers_the_first_response_and_creates_once(
    runtimes,
):
    first, second = runtimes
    key = {"Idempotency-Key": str(uuid.uuid4())}

    created = first.post(f"{BASE_URL}/users", json=USER, headers=key)
    replayed = second.post(f"{BASE_URL}/users", json=USER, headers=key)
    other_body = second.post(f"{BASE_URL}/users", json={**USER, "name": "Bob"}, headers=key)

    assert (created.status_code, replayed.status_code) == (201, 201), replayed.text
    assert replayed.json() == created.json()
    assert replayed.headers["location"] == created.headers["location"]
    assert replayed.headers["etag"] == created.headers["etag"]
    assert replayed.headers["idempotent-replayed"] == "true"
    assert other_body.status_code == 422, other_body.text
    assert len(first.get(f"{BASE_URL}/users").json()["items"]) == 1


def test_an_asset_created_by_one_runtime_is_read_and_deleted_by_the_other(runtimes):
    first, second = runtimes
    created = first.post(f"{BASE_URL}/assets", json=ASSET)
    assert created.status_code == 201, created.text
    location = BASE_URL + created.headers["location"]

    read = second.get(location)
    deleted = second.delete(location)

    assert read.status_code == 200, read.text
    assert read.json()["assetId"] == created.json()["assetId"]
    assert {k: read.json()[k] for k in ASSET} == ASSET
    assert deleted.status_code == 204, deleted.text
    assert first.get(location).status_code == 404
