"""The benchmark's harness: the floor and the functions on fakes serve every benchmarked
operation, the fakes cost next to nothing, and the children find what they rely on."""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

import boto3
import pytest

from api.functions.builders import users_function
from api.resources import BUCKETS, FUNCTIONS, TABLES
from api.settings import Settings
from api.users.list_shards import list_shard
from api.users.service import UserService
from bench.environment import child_environment
from bench.floor_handler import FloorHandler
from bench.handlers import ENTRY_POINTS, app_with_fakes, floor_with_fakes, load_handler
from bench.workload import (
    ASSET_OPERATIONS,
    USER_OPERATIONS,
    Client,
    Upload,
    body_of,
    run_assets,
    run_users,
)
from dev.fakes import InMemoryUserRepository


def floor_on(settings: Settings) -> tuple[FloorHandler, Upload]:
    def client(service: str):
        return boto3.client(
            service, region_name=settings.region, endpoint_url=settings.aws_endpoint_url
        )

    dynamodb, s3 = client("dynamodb"), client("s3")

    def upload(key: str, size: int, content_type: str) -> None:
        s3.put_object(
            Bucket=settings.bucket("assets"), Key=key, Body=b"x" * size, ContentType=content_type
        )

    handler = FloorHandler(
        lambda: dynamodb,
        lambda: s3,
        users_table=settings.table("users"),
        assets_table=settings.table("assets"),
        bucket=settings.bucket("assets"),
    )
    return handler, upload


def test_the_floor_serves_every_benchmarked_operation_on_the_emulator(settings):
    handler, upload = floor_on(settings)

    users = run_users(handler, 2, 1)
    assets = run_assets(handler, upload, 2, 1)

    assert {op: len(d) for op, d in users.durations.items()} == dict.fromkeys(USER_OPERATIONS, 2)
    assert {op: len(d) for op, d in assets.durations.items()} == dict.fromkeys(ASSET_OPERATIONS, 2)
    assert not any(users.errors.values())
    assert not any(assets.errors.values())


def test_each_function_on_fakes_serves_every_benchmarked_operation_of_its_own():
    (users, _), (assets, upload) = app_with_fakes("users"), app_with_fakes("assets")

    measured = run_users(users, 2, 1), run_assets(assets, upload, 2, 1)

    assert [sorted(m.durations) for m in measured] == [
        sorted(USER_OPERATIONS),
        sorted(ASSET_OPERATIONS),
    ]
    assert not any(m.errors[op] for m in measured for op in m.errors)


def test_the_floor_on_fakes_serves_every_benchmarked_operation():
    handler, upload = floor_with_fakes()

    users = run_users(handler, 2, 1)
    assets = run_assets(handler, upload, 2, 1)

    assert not any(users.errors.values())
    assert not any(assets.errors.values())


class CountingDict(dict[str, Any]):
    reads = 0

    def __getitem__(self, key):
        self.reads += 1
        return super().__getitem__(key)


def test_a_listing_on_the_fakes_reads_of_each_list_shard_at_most_its_page_and_one_more():
    repository = InMemoryUserRepository()
    handler = users_function(Settings(log_level="WARNING"), users=UserService(repository))
    client = Client(handler)
    for i in range(400):
        client.send("POST", "/users", body={"email": f"u{i}@example.com", "name": "U"})
    per_shard = Counter(list_shard(user_id) for user_id in repository.users)
    repository.users = CountingDict(repository.users)

    page = body_of(client.send("GET", "/users", query="limit=20")[1])

    assert len(page["items"]) == 20
    assert page["nextCursor"]
    assert repository.users.reads == sum(min(21, n) for n in per_shard.values())
    assert repository.users.reads < 400


def test_the_children_get_every_functions_tables_and_buckets_by_the_emulators_names():
    env = child_environment("http://127.0.0.1:1")

    for function in FUNCTIONS.values():
        settings = Settings.from_env(env, required=function.resources)
        assert settings.tables == {key: table.local_name for key, table in TABLES.items()}
        assert settings.buckets == {key: bucket.local_name for key, bucket in BUCKETS.items()}


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS.values()))
def test_every_entry_point_loads_a_handler_in_the_childrens_environment(entry, monkeypatch):
    for name, value in child_environment("http://127.0.0.1:1").items():
        monkeypatch.setenv(name, value)
    monkeypatch.delitem(sys.modules, entry.rpartition(".")[0], raising=False)

    assert callable(load_handler(entry))


def test_the_floor_answers_with_the_apps_user_and_asset_fields():
    (users, _), (assets, _) = app_with_fakes("users"), app_with_fakes("assets")
    floor, _ = floor_with_fakes()
    user = {"email": "ada@example.com", "name": "Ada"}
    file = {"fileName": "a.txt", "contentType": "text/plain", "size": 3}

    def created(handler, path, body):
        return body_of(Client(handler).send("POST", path, body=body)[1])

    assert created(users, "/users", user).keys() == created(floor, "/users", user).keys()
    assert created(assets, "/assets", file).keys() == created(floor, "/assets", file).keys()
