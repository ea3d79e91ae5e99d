"""Disaster recovery: a table restored to a point in time into a new table, verified, and the
one deploy command that points the stack at it.

    python -m ops restore --table <name> --to <RFC 3339 time | latest>

Which table of api/resources.py it is (for its TTL attribute, its indexes and the template
parameter naming it) is read from its key schema. DynamoDB restores the items, the indexes
and the encryption, but not the TTL or point-in-time recovery settings: this command turns
both on for the new table before it says it is ready.
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from api.aws.dynamo import create_table_request
from api.resources import TABLES, Table
from api.settings import Settings
from ops import add_dynamodb_arguments, dynamodb_client

# How the template names a table the functions use instead of <LogicalId> (template.yaml).
EXISTING_TABLE_PARAMETER = "Existing{logical_id}"
SAMPLE_SIZE = 20
POLL_SECONDS = 15.0
WAIT_TIMEOUT_SECONDS = 4 * 3600.0


class RestoreError(RuntimeError):
    """The restore cannot be done as asked, or the restored table is not what it should be."""


@dataclass
class Report:
    """What the restore did and found, step by step, with how long each step took."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.lines.append(line)
        print(line, flush=True)

    def problem(self, line: str) -> None:
        self.problems.append(line)
        self.say(f"PROBLEM: {line}")


def parse_time(text: str) -> datetime | None:
    """`latest` (None: the latest restorable time) or an RFC 3339 time with an offset."""
    if text == "latest":
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise RestoreError(f"{text!r} has no UTC offset: write it as 2026-12-02T06:30:00Z")
    return moment.astimezone(UTC)


def _shape(request_or_description: dict[str, Any]) -> tuple[Any, ...]:
    keys = tuple((k["AttributeName"], k["KeyType"]) for k in request_or_description["KeySchema"])
    indexes = sorted(
        (i["IndexName"], tuple((k["AttributeName"], k["KeyType"]) for k in i["KeySchema"]))
        for i in request_or_description.get("GlobalSecondaryIndexes", [])
    )
    return keys, tuple(indexes)


def registered_table_of(description: dict[str, Any]) -> Table:
    """The table of api/resources.py whose keys and indexes `description` has."""
    shape = _shape(description)
    for table in (t for t in TABLES.values() if t.recoverable):
        if _shape(create_table_request(table, Settings())) == shape:
            return table
    raise RestoreError(
        f"{description['TableName']} has the keys and indexes of no table of api/resources.py"
    )


def stack_of(table_name: str, table: Table) -> str | None:
    """The stack that made `table_name` (CloudFormation names it <stack>-<LogicalId>-<id>)."""
    match = re.match(rf"(.+?)-{table.logical_id}-", table_name)
    return match.group(1) if match else None


def target_name(source: str, table: Table, moment: datetime) -> str:
    """<stack>-<LogicalId>-restored-<UTC time>: a name of the stack's, not one that grows
    with each restore of a restored table."""
    stamp = moment.strftime("%Y%m%dT%H%M%SZ")
    stack = stack_of(source, table)
    base = f"{stack}-{table.logical_id}" if stack else source
    return f"{base}-restored-{stamp}"


def deploy_command(stack: str, table: Table, target: str) -> str:
    """The one command that points the stack's functions at `target`, at once (sam deploy
    keeps every other parameter's previous value)."""
    parameter = EXISTING_TABLE_PARAMETER.format(logical_id=table.logical_id)
    return (
        f"sam deploy --stack-name {stack} --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND "
        f"--parameter-overrides {parameter}={target} DeploymentStrategy=AllAtOnce"
    )


class Restorer:
    """Restores, waits and verifies, through a DynamoDB client."""

    def __init__(
        self,
        dynamodb: Any,
        *,
        report: Report | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        poll_seconds: float = POLL_SECONDS,
        timeout_seconds: float = WAIT_TIMEOUT_SECONDS,
    ) -> None:
        self.dynamodb = dynamodb
        self.report = report or Report()
        self.sleep, self.clock = sleep, clock
        self.poll_seconds, self.timeout_seconds = poll_seconds, timeout_seconds

    def restorable_window(self, source: str) -> tuple[datetime | None, datetime | None]:
        backups = self.dynamodb.describe_continuous_backups(TableName=source)
        recovery = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
        if recovery["PointInTimeRecoveryStatus"] != "ENABLED":
            raise RestoreError(f"{source} has no point-in-time recovery: nothing to restore from")
        return recovery.get("EarliestRestorableDateTime"), recovery.get("LatestRestorableDateTime")

    def restore(self, source: str, moment: datetime | None, target: str | None = None) -> str:
        """Restore `source` as it was at `moment` (None: the latest restorable time) into a
        new table, wait for it, turn TTL and recovery on, verify it; the new table's name."""
        started = self.clock()
        description = self.dynamodb.describe_table(TableName=source)["Table"]
        table = registered_table_of(description)
        earliest, latest = self.restorable_window(source)
        if moment is not None and (
            (earliest and moment < earliest) or (latest and moment > latest)
        ):
            raise RestoreError(f"{moment.isoformat()} is outside {earliest} .. {latest}")
        target = target or target_name(source, table, moment or datetime.now(UTC))
        when: dict[str, Any] = (
            {"UseLatestRestorableTime": True} if moment is None else {"RestoreDateTime": moment}
        )
        self.dynamodb.restore_table_to_point_in_time(
            SourceTableName=source,
            TargetTableName=target,
            BillingModeOverride="PAY_PER_REQUEST",
            SSESpecificationOverride={"Enabled": True},
            **when,
        )
        self._step(started, f"restore of {source} ({table.key}) into {target} requested")
        self._wait_until_active(target)
        self._step(started, f"{target} and its indexes are ACTIVE")
        self.dynamodb.update_time_to_live(
            TableName=target,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
        )
        self.dynamodb.update_continuous_backups(
            TableName=target,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )
        self._step(started, f"TTL on {table.ttl_attribute!r} and point-in-time recovery enabled")
        self.verify(source, target, table)
        self._step(started, "verified")
        return target

    def _step(self, started: float, what: str) -> None:
        self.report.say(f"[{self.clock() - started:8.1f} s] {what}")

    def _wait_until_active(self, target: str) -> None:
        deadline = self.clock() + self.timeout_seconds
        while True:
            table = self.dynamodb.describe_table(TableName=target)["Table"]
            statuses = [table["TableStatus"]] + [
                index.get("IndexStatus", "ACTIVE")
                for index in table.get("GlobalSecondaryIndexes", [])
            ]
            if all(status == "ACTIVE" for status in statuses):
                return
            if self.clock() > deadline:
                raise RestoreError(f"{target} is still {statuses} after {self.timeout_seconds} s")
            self.sleep(self.poll_seconds)

    def _count(self, table: str, **query: Any) -> int:
        count, start = 0, None
        while True:
            page = self.dynamodb.scan(
                TableName=table,
                Select="COUNT",
                **query,
                **({"ExclusiveStartKey": start} if start else {}),
            )
            count += int(page["Count"])
            start = page.get("LastEvaluatedKey")
            if not start:
                return count

    def verify(self, source: str, target: str, table: Table) -> None:
        """The restored table has the registered keys and indexes, each index answers, every
        sampled item reads back by its key; item counts of both tables are reported."""
        report = self.report
        restored = self.dynamodb.describe_table(TableName=target)["Table"]
        expected = _shape(create_table_request(table, Settings()))
        if _shape(restored) != expected:
            report.problem(f"{target} has keys and indexes {_shape(restored)}, not {expected}")
        items, sources = self._count(target), self._count(source)
        report.say(f"items: {items} restored, {sources} in {source} now")
        sample = self.dynamodb.scan(TableName=target, Limit=SAMPLE_SIZE, ConsistentRead=True)[
            "Items"
        ]
        key_names = [k["AttributeName"] for k in restored["KeySchema"]]
        still_there = 0
        for item in sample:
            key = {name: item[name] for name in key_names}
            if (
                self.dynamodb.get_item(TableName=target, Key=key, ConsistentRead=True).get("Item")
                != item
            ):
                report.problem(f"{key} does not read back from {target}")
            if "Item" in self.dynamodb.get_item(TableName=source, Key=key):
                still_there += 1
        report.say(f"sample: {len(sample)} keys read back; {still_there} of them still in {source}")
        for index in restored.get("GlobalSecondaryIndexes", []):
            self._verify_index(target, index, sample)

    def _verify_index(
        self, target: str, index: dict[str, Any], sample: list[dict[str, Any]]
    ) -> None:
        hash_key = next(k["AttributeName"] for k in index["KeySchema"] if k["KeyType"] == "HASH")
        item = next((i for i in sample if hash_key in i), None)
        if item is None:
            self.report.say(f"index {index['IndexName']}: no sampled item has {hash_key!r}")
            return
        found = self.dynamodb.query(
            TableName=target,
            IndexName=index["IndexName"],
            KeyConditionExpression="#k = :v",
            ExpressionAttributeNames={"#k": hash_key},
            ExpressionAttributeValues={":v": item[hash_key]},
            Select="COUNT",
        )["Count"]
        if found:
            self.report.say(f"index {index['IndexName']}: answers ({found} items for one key)")
        else:
            self.report.problem(f"index {index['IndexName']} finds nothing for a sampled item")


def main(argv: Sequence[str] | None = None, *, dynamodb: Any = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops restore", description=__doc__)
    parser.add_argument("--table", required=True, help="the table to restore (its name)")
    parser.add_argument("--to", required=True, help="RFC 3339 time with offset, or 'latest'")
    parser.add_argument(
        "--target", help="the new table's name (default: <stack>-<LogicalId>-restored-<time>)"
    )
    parser.add_argument(
        "--stack", help="the stack to point at it (default: read from the table's name)"
    )
    add_dynamodb_arguments(parser)
    args = parser.parse_args(argv)
    if dynamodb is None:
        dynamodb = dynamodb_client(args)
    restorer = Restorer(dynamodb)
    try:
        target = restorer.restore(args.table, parse_time(args.to), args.target)
    except RestoreError as error:
        print(f"restore failed: {error}")
        return 1
    if restorer.report.problems:
        print(f"{target} was restored but is not verified: do not point the stack at it")
        return 1
    table = registered_table_of(dynamodb.describe_table(TableName=target)["Table"])
    stack = args.stack or stack_of(args.table, table) or "<stack name>"
    print("Point the stack at it, from a checkout of the deployed release after `sam build`:")
    print(deploy_command(stack, table, target))
    return 0
