"""The backfill of listShard-index: every stored user given its listShard.

    python -m ops shard-users --table <the users table's name>

A paginated Scan reads the keys of the users without `listShard` (guard items have no
`entity` and are left alone); each gets `listShard` = list_shard(userId)
(api/users/list_shards.py) in an UpdateItem conditioned on the item still being a user
without one. So the backfill is idempotent and safe beside the running application: a user
deleted meanwhile is not written back, a user the application wrote meanwhile (with its
listShard) is not touched, and a second run finds nothing left to do. It is the one
UpdateItem of the Users table; the application writes users whole.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from api.users.list_shards import list_shard
from api.users.storage import USER_ENTITY
from ops import add_dynamodb_arguments, dynamodb_client

_NAMES = {"#entity": "entity", "#shard": "listShard", "#id": "userId"}
_UNSHARDED = "#entity = :user AND attribute_not_exists(#shard)"


@dataclass
class Backfill:
    """What a pass did: the users given their shard, and those another writer got to first."""

    sharded: int = 0
    skipped: int = 0


def unsharded_users(dynamodb: Any, table: str) -> Iterator[str]:
    """The ids of the users without listShard, page by page of a Scan."""
    request: dict[str, Any] = {
        "TableName": table,
        "FilterExpression": _UNSHARDED,
        "ProjectionExpression": "#id",
        "ExpressionAttributeNames": _NAMES,
        "ExpressionAttributeValues": {":user": {"S": USER_ENTITY}},
    }
    while True:
        page = dynamodb.scan(**request)
        for item in page.get("Items", []):
            yield item["userId"]["S"]
        if "LastEvaluatedKey" not in page:
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def shard_users(dynamodb: Any, table: str) -> Backfill:
    """Give every user of `table` without listShard its own."""
    done = Backfill()
    for user_id in unsharded_users(dynamodb, table):
        try:
            dynamodb.update_item(
                TableName=table,
                Key={"userId": {"S": user_id}},
                UpdateExpression="SET #shard = :shard",
                ConditionExpression=f"attribute_exists(#id) AND {_UNSHARDED}",
                ExpressionAttributeNames=_NAMES,
                ExpressionAttributeValues={
                    ":user": {"S": USER_ENTITY},
                    ":shard": {"S": list_shard(user_id)},
                },
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            done.skipped += 1  # deleted, or written with its shard, since the Scan read it
        else:
            done.sharded += 1
    return done


def main(argv: Sequence[str] | None = None, *, dynamodb: Any = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops shard-users", description=__doc__)
    parser.add_argument("--table", required=True, help="the users table (its name)")
    add_dynamodb_arguments(parser)
    args = parser.parse_args(argv)
    if dynamodb is None:
        dynamodb = dynamodb_client(args)
    done = shard_users(dynamodb, args.table)
    print(
        f"{args.table}: {done.sharded} users given their listShard,"
        f" {done.skipped} changed meanwhile by another writer (left as they are)"
    )
    return 0
