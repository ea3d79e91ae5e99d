"""Filtered listings at scale: `python -m bench.listing USERS DEADLINE_S REQUESTS` in a process
of its own, against the emulator the harness started.

It fills a users table of its own with USERS users, and measures two listings, each as it is
served now (through the users function, which reads at most api/rules/paging.py's budget per
index partition and request) and as it was served before the budget (every DynamoDB Query the
code sent without one, sent the same way on today's indexes: each of the list shards of
listShard-index from its newest, until it had matched the page and one more or ended, or
DEADLINE_S had passed):

- `GET /users?department=Rare&limit=1`, the one Rare user the oldest of all;
- `GET /users?limit=20` when every user but the oldest has expired and is not yet swept.

Per request: the Query calls sent, the items they evaluated (DynamoDB's ScannedCount, what
reads cost) and the time taken. The emulator's Query scans the whole table whatever its Limit,
so times here grow with the table where DynamoDB's would not; calls and items evaluated are
what carries over to AWS.
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import time
import uuid
from typing import Any

import botocore

from api.users.list_shards import all_list_shards, list_shard
from bench.child import report

NOW_MS = 1_790_000_000_000
RARE = "Rare"


@dataclasses.dataclass
class Reads:
    """What the DynamoDB Queries of this process evaluated."""

    calls: int = 0
    evaluated: int = 0

    def after_query(self, parsed: dict[str, Any], **_: Any) -> None:
        self.calls += 1
        self.evaluated += int(parsed.get("ScannedCount", 0))

    def take(self) -> tuple[int, int]:
        taken = self.calls, self.evaluated
        self.calls = self.evaluated = 0
        return taken


READS = Reads()
botocore.register_initializer(
    lambda session: session.register("after-call.dynamodb.Query", READS.after_query)
)


def user_id(n: int) -> str:
    return str(uuid.UUID(int=n, version=4))


def _user(n: int, department: str, expires: bool) -> dict[str, Any]:
    item = {
        "userId": {"S": user_id(n)},
        "entity": {"S": "user"},
        "listShard": {"S": list_shard(user_id(n))},
        "email": {"S": f"listed-{n}@example.com"},
        "name": {"S": f"User {n}"},
        "department": {"S": department},
        "createdAt": {"N": str(NOW_MS + n)},
        "updatedAt": {"N": str(NOW_MS + n)},
        "version": {"N": "1"},
    }
    if expires:
        item["ttl"] = {"N": "1"}
    return item


def fill(dynamodb: Any, table: str, users: int, *, expired: bool) -> None:
    """`users` users, the oldest a live Rare one, the others Common (and expired if asked)."""
    items = [_user(1, RARE, False)] + [_user(n, "Common", expired) for n in range(2, users + 1)]
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        pending: dict[str, Any] = {table: batch}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems", {})


def unbounded(
    dynamodb: Any, table: str, department: str | None, limit: int, deadline_s: float
) -> dict[str, Any]:
    """The Queries the listing sends without the budget: each list shard of listShard-index
    with Limit = limit + 1, filtering live users (of the department), on through
    LastEvaluatedKey until limit + 1 matched or the shard ended, here also until
    `deadline_s` passed."""
    now_s = NOW_MS // 1000
    names = {"#ttl": "ttl", "#shard": "listShard"}
    values: dict[str, Any] = {":now": {"N": str(now_s)}}
    keep = "(attribute_not_exists(#ttl) OR #ttl > :now)"
    if department is not None:
        names["#department"] = "department"
        values[":department"] = {"S": department}
        keep += " AND #department = :department"
    READS.take()
    finished = True
    started = time.perf_counter()
    for shard in all_list_shards():
        request: dict[str, Any] = {
            "TableName": table,
            "IndexName": "listShard-index",
            "KeyConditionExpression": "#shard = :shard",
            "FilterExpression": keep,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {**values, ":shard": {"S": shard}},
            "ScanIndexForward": False,
            "Limit": limit + 1,
        }
        matched, ended = 0, False
        while time.perf_counter() - started < deadline_s:
            page = dynamodb.query(**request)
            matched += page["Count"]
            if matched > limit or "LastEvaluatedKey" not in page:
                ended = True
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        finished = finished and ended
    elapsed = time.perf_counter() - started
    calls, evaluated = READS.take()
    return {
        "finished": finished,
        "seconds": round(elapsed, 2),
        "query_calls": calls,
        "items_evaluated": evaluated,
    }


def bounded(handler: Any, query: str, requests: int, deadline_s: float) -> dict[str, Any]:
    """The listing through the users function now: `requests` times its first page; and the
    pages it takes to reach the one live match, following the cursors (for at most
    `deadline_s`)."""
    from bench.workload import Client, body_of

    client = Client(handler)
    READS.take()
    durations, calls, evaluated, items = [], [], [], []
    for _ in range(requests):
        elapsed, response = client.send("GET", "/users", query=query)
        durations.append(elapsed / 1e6)
        taken = READS.take()
        calls.append(taken[0])
        evaluated.append(taken[1])
        items.append(len(body_of(response)["items"]))
    pages, cursor, found = 0, None, False
    started = time.perf_counter()
    while not found and time.perf_counter() - started < deadline_s:
        page = query + (f"&cursor={cursor}" if cursor else "")
        body = body_of(client.send("GET", "/users", query=page)[1])
        pages += 1
        found, cursor = bool(body["items"]), body.get("nextCursor")
        if cursor is None:
            break
    READS.take()
    return {
        "ms_per_request": {
            "median": round(statistics.median(durations), 1),
            "max": round(max(durations), 1),
        },
        "query_calls": max(calls),
        "items_evaluated": max(evaluated),
        "items_returned": max(items),
        "pages_to_the_match": pages if found else None,
        "pages_read": pages,
    }


def measure(users: int, deadline_s: float, requests: int) -> dict[str, Any]:
    from api.aws.clients import aws_client
    from api.aws.dynamo import create_table_request
    from api.functions.builders import users_function
    from api.resources import TABLES
    from api.settings import Settings

    results: dict[str, Any] = {"users": users, "deadline_s": deadline_s}
    base = Settings.from_env()
    for scenario, query, department, expired in (
        ("department", f"department={RARE}&limit=1", RARE, False),
        ("expired", "limit=20", None, True),
    ):
        table = f"Users-listing-{uuid.uuid4().hex[:8]}"
        # The listing's own reads: without the rate limit's write, on a table of its own.
        settings = dataclasses.replace(
            base, tables={**base.tables, "users": table}, rate_limit_per_minute=0
        )
        dynamodb = aws_client("dynamodb", settings)
        dynamodb.create_table(**create_table_request(TABLES["users"], settings))
        fill(dynamodb, table, users, expired=expired)
        limit = int(query.rsplit("limit=", 1)[1])
        results[scenario] = {
            "request": f"GET /users?{query}",
            "before": unbounded(dynamodb, table, department, limit, deadline_s),
            "after": bounded(users_function(settings), query, requests, deadline_s),
        }
        dynamodb.delete_table(TableName=table)
    return results


def main() -> None:
    users, deadline_s, requests = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    report(measure(users, deadline_s, requests))


if __name__ == "__main__":
    main()
