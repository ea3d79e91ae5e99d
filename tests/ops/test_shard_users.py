"""python -m ops shard-users, against the emulator: the users stored before list shards get
their listShard, page by page of the Scan, once, without touching guards, users that have
one, or users deleted meanwhile."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from api.users.list_shards import list_shard
from api.users.service import UserQuery
from api.users.storage import DynamoUserRepository, bind_user_table
from ops.__main__ import main as ops_main
from ops.shard_users import main
from tests.integration.test_user_store import NOW, make_user


def old_user_item(n: int) -> dict[str, Any]:
    """A user as the release before list shards stored it: no listShard."""
    user = make_user(n)
    return {
        "userId": {"S": user.user_id},
        "entity": {"S": "user"},
        "email": {"S": user.email},
        "name": {"S": user.name},
        "createdAt": {"N": str(user.created_at)},
        "updatedAt": {"N": str(user.updated_at)},
        "version": {"N": "1"},
    }


def guard_item(n: int) -> dict[str, Any]:
    user = make_user(n)
    return {"userId": {"S": f"email#{user.email}"}, "ownerId": {"S": user.user_id}}


class SmallScans:
    """The emulator's client with every Scan cut to pages of 5 items, counted; and, once, a
    step taken right after a Scan answers (what another writer does meanwhile)."""

    def __init__(self, client: Any, meanwhile: Any = None) -> None:
        self._client = client
        self.exceptions = client.exceptions
        self.scans = 0
        self._meanwhile = meanwhile

    def scan(self, **request: Any) -> dict[str, Any]:
        self.scans += 1
        page = self._client.scan(Limit=5, **request)
        if self._meanwhile is not None:
            self._meanwhile(page)
            self._meanwhile = None
        return page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


@pytest.fixture
def dynamodb(settings):
    return boto3.client(
        "dynamodb", region_name=settings.region, endpoint_url=settings.aws_endpoint_url
    )


@pytest.fixture
def table(settings, dynamodb):
    """The users table with 12 users of the old shape and their guards, and one user the
    application stored (with its listShard)."""
    name = settings.table("users")
    for n in range(1, 13):
        dynamodb.put_item(TableName=name, Item=old_user_item(n))
        dynamodb.put_item(TableName=name, Item=guard_item(n))
    DynamoUserRepository(bind_user_table(settings)).add(make_user(13), NOW)
    return name


def items(dynamodb, table) -> dict[str, dict[str, Any]]:
    return {i["userId"]["S"]: i for i in dynamodb.scan(TableName=table)["Items"]}


def test_every_user_without_a_shard_gets_its_own_and_nothing_else_changes(
    capsys, dynamodb, table, settings
):
    before = items(dynamodb, table)
    client = SmallScans(dynamodb)

    assert main(["--table", table], dynamodb=client) == 0

    after = items(dynamodb, table)
    assert client.scans > 1  # the Scan was followed page by page
    for key, item in before.items():
        if key.startswith("email#") or "listShard" in item:
            assert after[key] == item
        else:
            assert after[key] == {**item, "listShard": {"S": list_shard(key)}}
    out = capsys.readouterr().out
    assert f"{table}: 12 users given their listShard, 0 changed meanwhile" in out
    listed, _ = DynamoUserRepository(bind_user_table(settings)).find(UserQuery(), 50, None, NOW)
    assert {u.user_id for u in listed} == {make_user(n).user_id for n in range(1, 14)}


def test_a_second_run_finds_nothing_to_do_and_changes_nothing(capsys, dynamodb, table):
    main(["--table", table], dynamodb=dynamodb)
    once = items(dynamodb, table)
    capsys.readouterr()

    assert main(["--table", table], dynamodb=dynamodb) == 0

    assert items(dynamodb, table) == once
    assert "0 users given their listShard, 0 changed meanwhile" in capsys.readouterr().out


def test_a_user_deleted_while_the_backfill_runs_is_not_written_back(capsys, dynamodb, table):
    deleted: list[str] = []

    def delete_one(page: dict[str, Any]) -> None:
        user_id = page["Items"][0]["userId"]["S"]
        dynamodb.delete_item(TableName=table, Key={"userId": {"S": user_id}})
        deleted.append(user_id)

    main(["--table", table], dynamodb=SmallScans(dynamodb, meanwhile=delete_one))

    assert deleted[0] not in items(dynamodb, table)
    assert "11 users given their listShard, 1 changed meanwhile" in capsys.readouterr().out


def test_ops_runs_it_as_shard_users(capsys, table, settings):
    code = ops_main(
        [
            "shard-users",
            "--table",
            table,
            "--region",
            settings.region,
            "--endpoint-url",
            settings.aws_endpoint_url,
        ]
    )

    assert code == 0
    assert "12 users given their listShard" in capsys.readouterr().out
