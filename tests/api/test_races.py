"""Races against `make run`'s server: many clients at once, one winner, a consistent store."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import boto3
import httpx
import pytest

from dev.emulator import use_emulator_credentials
from tests.local_server import LocalServer, local_server


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with local_server() as server:
        yield server


def in_parallel(count, request):
    with ThreadPoolExecutor(max_workers=count) as pool, httpx.Client(timeout=60) as client:
        return list(pool.map(lambda i: request(client, i), range(count)))


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
    user = httpx.post(
        f"{server.url}/users", json={"email": f"p-{uuid.uuid4().hex[:8]}@example.com", "name": "P"}
    ).json()
    path = f"{server.url}/users/{user['userId']}"

    def patch(client, i):
        return client.patch(path, json={"name": f"N{i}"}, headers={"If-Match": '"1"'})

    responses = in_parallel(20, patch)

    assert Counter(r.status_code for r in responses) == {200: 1, 412: 19}
    winner = next(r for r in responses if r.status_code == 200)
    final = httpx.get(path)
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
