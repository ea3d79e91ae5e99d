"""Races against the local server (uvicorn + the emulator), as `make run` serves them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import boto3
import httpx
import pytest

from api.app import create_app
from dev.server import BackgroundServer


@pytest.fixture
def server_url(settings) -> Iterator[str]:
    server = BackgroundServer(create_app(settings)).start()
    yield server.url
    server.stop()


def in_parallel(count, request):
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda i: request(i), range(count)))


def stored_users(settings):
    table = boto3.resource(
        "dynamodb", region_name=settings.region, endpoint_url=settings.aws_endpoint_url
    ).Table(settings.users_table)
    return [item for item in table.scan()["Items"] if item.get("entity") == "user"]


def test_20_concurrent_creates_with_one_email_give_exactly_one_201(server_url, settings):
    def create(i):
        body = {"email": "Race@Example.com", "name": f"Racer {i}"}
        return httpx.post(f"{server_url}/users", json=body, timeout=30)

    responses = in_parallel(20, create)

    assert Counter(r.status_code for r in responses) == {201: 1, 409: 19}
    users = stored_users(settings)
    assert len(users) == 1
    winner = next(r for r in responses if r.status_code == 201).json()
    assert users[0]["userId"] == winner["userId"]


def test_20_concurrent_patches_with_one_if_match_give_one_200_and_the_rest_412(server_url):
    user = httpx.post(
        f"{server_url}/users", json={"email": "p@example.com", "name": "P"}, timeout=30
    ).json()
    path = f"{server_url}/users/{user['userId']}"

    def patch(i):
        return httpx.patch(path, json={"name": f"N{i}"}, headers={"If-Match": '"1"'}, timeout=30)

    responses = in_parallel(20, patch)

    assert Counter(r.status_code for r in responses) == {200: 1, 412: 19}
    winner = next(r for r in responses if r.status_code == 200)
    final = httpx.get(path, timeout=30)
    assert final.json()["name"] == winner.json()["name"]
    assert final.headers["etag"] == '"2"'
