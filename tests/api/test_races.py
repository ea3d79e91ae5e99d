"""Races against `make run`'s server: many clients at once, one winner, a consistent store."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from dev.emulator import use_emulator_credentials
from tests.local_server import LocalServer, local_server

SERVER: LocalServer


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    global SERVER
    with local_server() as server:
        SERVER = server
        yield server


def in_parallel(count, request, client=None):
    """`request(client, i)` for i in 0..count-1 at once, as an administrator unless a
    client of another caller is given."""
    with ThreadPoolExecutor(max_workers=count) as pool, client or SERVER.client() as http:
        return list(pool.map(lambda i: request(http, i), range(count)))


def items(server, table):
    use_emulator_credentials()
    dynamodb = boto3.resource("dynamodb", region_name="us-east-1", endpoint_url=server.emulator_url)
    return dynamodb.Table(table).scan()["Items"]


def test_50_parallel_creates_with_one_email_give_one_201_and_one_stored_user(server):
    email = f"race-{uuid.uuid4().hex[:8]}@example.com"

    def create(client, i):
        return client.post(f"{server.url}/users", json={"email": email.upper(), "name": f"R{i}"})

    responses = in_parallel(50, create)

    assert Counter(r.status_code for r in responses) == {201: 1, 409: 49}
    stored = [item for item in items(server, "Users") if item.get("email") == email]
    winner = next(r for r in responses if r.status_code == 201).json()
    assert [item["userId"] for item in stored] == [winner["userId"]]


def test_20_parallel_patches_with_one_if_match_give_one_200_and_the_rest_412(server):
    with server.client() as http:
        user = http.post(
            "/users", json={"email": f"p-{uuid.uuid4().hex[:8]}@example.com", "name": "P"}
        ).json()
    path = f"{server.url}/users/{user['userId']}"

    def patch(client, i):
        return client.patch(path, json={"name": f"N{i}"}, headers={"If-Match": '"1"'})

    responses = in_parallel(20, patch)

    assert Counter(r.status_code for r in responses) == {200: 1, 412: 19}
    winner = next(r for r in responses if r.status_code == 200)
    with server.client() as http:
        final = http.get(path)
    assert final.json()["name"] == winner.json()["name"]
    assert final.headers["etag"] == '"2"'


def test_10_parallel_posts_with_one_idempotency_key_create_one_asset(server):
    key = str(uuid.uuid4())
    body = {"fileName": f"{key}.txt", "contentType": "text/plain", "size": 3}

    def create(client, i):
        return client.post(f"{server.url}/assets", json=body, headers={"Idempotency-Key": key})

    responses = in_parallel(10, create)

    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}
    assert statuses[201] >= 1
    created = {r.json()["assetId"] for r in responses if r.status_code == 201}
    assert len(created) == 1  # every 201 is the one asset, first or replayed
    stored = [item for item in items(server, "Assets") if item["fileName"] == body["fileName"]]
    assert [item["assetId"] for item in stored] == list(created)


def test_two_callers_racing_with_one_idempotency_key_make_two_assets_each_their_own(server):
    key = str(uuid.uuid4())
    body = {"fileName": f"{key}.txt", "contentType": "text/plain", "size": 3}
    callers = {"race-alice": server.client("race-alice", admin=False)}
    callers["race-bob"] = server.client("race-bob", admin=False)

    def create(client, i):
        caller = "race-alice" if i % 2 else "race-bob"
        return caller, callers[caller].post(
            f"{server.url}/assets", json=body, headers={"Idempotency-Key": key}
        )

    with callers["race-alice"], callers["race-bob"]:
        answers = in_parallel(10, create)
    owners: dict[str, set[str]] = {}
    for caller, response in answers:
        assert response.status_code in (201, 409)
        if response.status_code == 201:
            assert response.json()["ownerId"] == caller
            owners.setdefault(caller, set()).add(response.json()["assetId"])
    assert {caller: len(ids) for caller, ids in owners.items()} == {"race-alice": 1, "race-bob": 1}


def test_another_callers_concurrent_reads_and_deletes_never_reach_an_asset(server):
    with server.client("bola-owner", admin=False) as owner:
        asset = owner.post(
            "/assets", json={"fileName": "mine.txt", "contentType": "text/plain", "size": 3}
        ).json()
        path = f"/assets/{asset['assetId']}"

        def attack(client, i):
            return (client.delete if i % 2 else client.get)(f"{server.url}{path}").status_code

        statuses = in_parallel(20, attack, client=server.client("bola-thief", admin=False))
        assert set(statuses) == {404}
        assert owner.get(path).status_code == 200
