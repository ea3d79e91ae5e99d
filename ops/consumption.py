"""What each operation consumes on AWS, counted by driving the application against the
emulator: DynamoDB read and write request units, computed from the sizes of the items each
call reads and writes as DynamoDB bills them, and S3 requests, by price class.

    python -m ops consumption           # rewrites ops/consumption.json
    python -m ops consumption --check   # exit 1 if it is stale

Every AWS call the application makes goes through botocore (its own clients, pynamodb's and
Powertools' alike), so two botocore events see them all: `before-parameter-build` (the
request, and the item as it was, read with a client of our own) and `after-call` (the answer,
and the item as it is now). The rules applied, from DynamoDB's documentation of on-demand
capacity: a write costs 1 unit per KB of the larger of the item before and after, twice in a
transaction, plus 1 per KB for each global secondary index it changes (delete and put when an
index key changes); a read costs 1 unit per 4 KB, half when eventually consistent, twice in a
transaction; a Query or Scan rounds the total of the items it reads up to 4 KB once; a
transaction's ConditionCheck is a transactional read. S3 requests are counted by operation,
with the requests the client itself makes with a presigned URL (the upload's POST, the
download's GET) added where they happen.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import botocore
import botocore.session

from api.paths import ROOT

CONSUMPTION_PATH = ROOT / "ops" / "consumption.json"
# S3's price classes: writes and listings, and reads and the rest; DeleteObject is free.
S3_TIER_1 = {"PutObject", "CopyObject", "PostObject", "ListObjects", "ListObjectsV2"}
S3_FREE = {"DeleteObject", "DeleteObjects"}
# The requests a client makes itself with the URLs an operation returns.
CLIENT_S3_REQUESTS = {"createAsset": ["PostObject"], "downloadAsset": ["GetObject"]}
FILE_BYTES = 14


def attribute_size(value: Mapping[str, Any]) -> int:
    """The bytes DynamoDB bills for one attribute value (without its name)."""
    ((kind, data),) = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "N":
        digits = str(Decimal(data)).lstrip("-").replace(".", "").strip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(data if isinstance(data, bytes) else base64.b64decode(data))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(attribute_size({kind[0]: item}) for item in data)
    if kind == "L":
        return 3 + sum(1 + attribute_size(item) for item in data)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + attribute_size(v) for k, v in data.items())
    raise ValueError(f"unknown attribute type {kind!r}")


def item_size(item: Mapping[str, Any] | None) -> int:
    """The bytes DynamoDB bills for an item: its attribute names and values."""
    return sum(len(name.encode()) + attribute_size(v) for name, v in (item or {}).items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def read_units(size: int, *, consistent: bool) -> float:
    units = max(1, math.ceil(size / 4096))
    return float(units) if consistent else units / 2


@dataclass
class Consumption:
    """Units and requests of one operation, by table and by S3 operation."""

    read_units: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    write_units: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    s3_requests: Counter[str] = field(default_factory=Counter)

    def as_json(self, tables: Mapping[str, str]) -> dict[str, Any]:
        """With table names replaced by their registry keys (`tables`: name -> key)."""
        return {
            "dynamodb_read_units": {tables[t]: u for t, u in sorted(self.read_units.items())},
            "dynamodb_write_units": {tables[t]: u for t, u in sorted(self.write_units.items())},
            "s3_requests": dict(sorted(self.s3_requests.items())),
        }


class Meter:
    """Counts the units and requests of the calls made while `measuring` is active."""

    def __init__(self, dynamodb: Any, indexes: Mapping[str, list[list[dict[str, Any]]]]) -> None:
        self._dynamodb = dynamodb  # made before the meter's hooks: its calls are not counted
        self._indexes = indexes  # table name -> its GSIs' KeySchema
        self._current: Consumption | None = None

    @contextmanager
    def measuring(self) -> Iterator[Consumption]:
        self._current = Consumption()
        try:
            yield self._current
        finally:
            self._current = None

    def install(self, session: botocore.session.Session) -> None:
        session.register("before-parameter-build.dynamodb", self._before)
        session.register("after-call.dynamodb", self._after_dynamodb)
        session.register("after-call.s3", self._after_s3)

    def _read(self, table: str, key: Mapping[str, Any]) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self._dynamodb.get_item(
            TableName=table, Key=key, ConsistentRead=True
        ).get("Item")
        return item

    def _before(
        self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        if self._current is None:
            return
        name = model.name
        if name in ("PutItem", "UpdateItem", "DeleteItem"):
            key = params.get("Key") or self._key_of(params["TableName"], params["Item"])
            context["ops.before"] = [
                (params["TableName"], key, self._read(params["TableName"], key))
            ]
        elif name == "TransactWriteItems":
            context["ops.before"] = [
                (action["TableName"], key, self._read(action["TableName"], key))
                for action in (next(iter(a.values())) for a in params["TransactItems"])
                for key in [action.get("Key") or self._key_of(action["TableName"], action["Item"])]
            ]
        context["ops.params"] = params

    def _key_of(self, table: str, item: Mapping[str, Any]) -> dict[str, Any]:
        schema = self._dynamodb.describe_table(TableName=table)["Table"]["KeySchema"]
        return {k["AttributeName"]: item[k["AttributeName"]] for k in schema}

    def _after_dynamodb(
        self,
        http_response: Any,
        parsed: dict[str, Any],
        model: Any,
        context: dict[str, Any],
        **_: Any,
    ) -> None:
        current = self._current
        if current is None or "ops.params" not in context or "Error" in parsed:
            return
        params, name = context["ops.params"], model.name
        if name == "GetItem":
            size = item_size(parsed.get("Item"))
            current.read_units[params["TableName"]] += read_units(
                size, consistent=bool(params.get("ConsistentRead"))
            )
        elif name in ("Query", "Scan"):
            items = parsed.get("Items", [])
            average = sum(map(item_size, items)) / len(items) if items else 0
            scanned = parsed.get("ScannedCount", len(items))
            consistent = bool(params.get("ConsistentRead")) and "IndexName" not in params
            current.read_units[params["TableName"]] += read_units(
                math.ceil(average * scanned), consistent=consistent
            )
        elif name in ("PutItem", "UpdateItem", "DeleteItem"):
            self._count_write(current, context["ops.before"][0], transactional=False)
        elif name == "TransactWriteItems":
            for action, before in zip(params["TransactItems"], context["ops.before"], strict=True):
                if "ConditionCheck" in action:
                    table, _, item = before
                    current.read_units[table] += 2 * read_units(item_size(item), consistent=True)
                else:
                    self._count_write(current, before, transactional=True)
        elif name == "TransactGetItems":
            for action, response in zip(params["TransactItems"], parsed["Responses"], strict=True):
                size = item_size(response.get("Item"))
                current.read_units[action["Get"]["TableName"]] += 2 * read_units(
                    size, consistent=True
                )
        elif name not in ("DescribeTable",):
            raise ValueError(f"the meter does not know how DynamoDB bills {name}")

    def _count_write(
        self,
        current: Consumption,
        before: tuple[str, dict[str, Any], dict[str, Any] | None],
        *,
        transactional: bool,
    ) -> None:
        table, key, old = before
        new = self._read(table, key)
        units = write_units(max(item_size(old), item_size(new)))
        current.write_units[table] += units * (2 if transactional else 1)
        for index in self._indexes.get(table, []):
            names = [k["AttributeName"] for k in index]
            old_key = tuple(old.get(n) for n in names) if old else None
            new_key = tuple(new.get(n) for n in names) if new else None
            had = old_key is not None and None not in old_key
            has = new_key is not None and None not in new_key
            if had and has and old_key == new_key:
                current.write_units[table] += write_units(item_size(new)) if old != new else 0
            else:
                current.write_units[table] += (write_units(item_size(old)) if had else 0) + (
                    write_units(item_size(new)) if has else 0
                )

    def _after_s3(
        self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        if self._current is not None and "Error" not in parsed and model.name not in S3_FREE:
            self._current.s3_requests[model.name] += 1


def measure(
    scenario: Callable[[Callable[[str], Any]], None], meter: Meter
) -> dict[str, Consumption]:
    """Run `scenario`, which calls its argument with each operation's name around the one
    request of that operation it is about to make; the consumption of each."""
    found: dict[str, Consumption] = {}

    @contextmanager
    def operation(name: str) -> Iterator[None]:
        with meter.measuring() as consumption:
            yield
        for request in CLIENT_S3_REQUESTS.get(name, []):
            consumption.s3_requests[request] += 1
        found[name] = consumption

    scenario(operation)
    return found


def seed_users(settings: Any, now: float) -> None:
    """30 users of fixed ids, as createUser stores them: which list shards hold them, and
    so what a listing's 8 queries read, is the same at every count (none holds more than 7,
    so each query reads under 4 KB wherever the one user createUser adds falls)."""
    from api.users.service import User
    from api.users.storage import DynamoUserRepository, bind_user_table

    repository = DynamoUserRepository(bind_user_table(settings))
    for i in range(30):
        created = int(now * 1000) + i
        user = User(
            user_id=str(uuid.UUID(int=i + 1, version=4)),
            email=f"seed{i}@example.com",
            name=f"Seed {i}",
            department="Eng",
            created_at=created,
            updated_at=created,
            expires_at=None,
            version=1,
        )
        repository.add(user, int(now))


def drive(
    operation: Callable[[str], Any], client: Any, confirm_upload: Callable[[str], Any]
) -> None:
    """One request of every operation, on tables that hold 30 users (`seed_users`) and 30
    assets (so that a listing returns a full page of 20): the consumption of a typical
    call."""
    for i in range(30):
        client.post(
            "/assets", json={"fileName": f"seed{i}.txt", "contentType": "text/plain", "size": 5}
        )
    with operation("getHealth"):
        client.get("/health")
    with operation("createUser"):
        user = client.post(
            "/users", json={"email": "ada@example.com", "name": "Ada Lovelace", "department": "Eng"}
        )
    user_path = f"/users/{user.json()['userId']}"
    with operation("getUser"):
        client.get(user_path)
    with operation("updateUser"):
        client.patch(
            user_path, json={"name": "Ada King"}, headers={"If-Match": user.headers["etag"]}
        )
    with operation("listUsers"):
        client.get("/users", params={"limit": 20})
    with operation("deleteUser"):
        client.delete(user_path)
    with operation("createAsset"):
        created = client.post(
            "/assets",
            json={"fileName": "hello.txt", "contentType": "text/plain", "size": FILE_BYTES},
        ).json()
        # The upload's ObjectCreated event: the confirmation the assets function makes.
        upload = created["upload"]
        import httpx

        httpx.post(
            upload["url"],
            data=upload["fields"],
            files={"file": ("hello.txt", b"hello, assets\n", "text/plain")},
        ).raise_for_status()
    with operation("confirmUpload"):
        confirm_upload(upload["fields"]["key"])
    asset_path = f"/assets/{created['assetId']}"
    with operation("getAsset"):
        client.get(asset_path)
    with operation("listAssets"):
        client.get("/assets", params={"limit": 20})
    with operation("downloadAsset"):
        client.get(f"{asset_path}/download")
    with operation("deleteAsset"):
        client.delete(asset_path)


def count() -> dict[str, Any]:
    """The consumption of every operation, counted on a fresh emulator."""
    from starlette.testclient import TestClient

    from api.aws.clients import forget_clients
    from api.aws.dynamo import create_table_request
    from api.functions.builders import dynamo_asset_service, local_app
    from api.resources import BUCKETS, TABLES
    from api.settings import Settings
    from dev.emulator import Emulator, create_resources, use_emulator_credentials
    from dev.issuer import LocalIssuer, SigningKey

    use_emulator_credentials()
    emulator = Emulator().start()
    try:
        suffix = uuid.uuid4().hex[:8]
        settings = Settings(
            tables={key: f"{t.local_name}-{suffix}" for key, t in TABLES.items()},
            buckets={key: f"{b.local_name}-{suffix}" for key, b in BUCKETS.items()},
            aws_endpoint_url=emulator.endpoint_url,
            log_level="ERROR",
            cursor_keys=(b"ops.consumption: a key for this count only",),
            # As the template deploys it: every authenticated request is counted.
            rate_limit_per_minute=600,
        )
        create_resources(settings)
        seed_users(settings, time.time())
        import boto3

        own = boto3.client(
            "dynamodb", region_name=settings.region, endpoint_url=emulator.endpoint_url
        )
        indexes = {
            settings.table(t.key): [
                i["KeySchema"]
                for i in create_table_request(t, settings).get("GlobalSecondaryIndexes", [])
            ]
            for t in TABLES.values()
        }
        meter = Meter(own, indexes)
        botocore.register_initializer(meter.install)
        forget_clients()
        try:
            assets = dynamo_asset_service(settings)
            # An administrator, who may call every operation, with a key of this count's own.
            issuer = LocalIssuer(SigningKey.generate(), "https://ops.consumption.invalid")
            auth = {"Authorization": f"Bearer {issuer.token('ops', admin=True)}"}
            app = local_app(settings, authenticate=issuer.verifier())
            with TestClient(app, headers=auth) as client:
                found = measure(lambda op: drive(op, client, assets.object_created), meter)
        finally:
            botocore.unregister_initializer(meter.install)
            forget_clients()
        names = {settings.table(t.key): t.key for t in TABLES.values()}
        return {op: consumption.as_json(names) for op, consumption in found.items()}
    finally:
        emulator.stop()


def render(consumption: Mapping[str, Any]) -> str:
    return json.dumps(consumption, indent=2, sort_keys=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops consumption", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report whether it is stale")
    args = parser.parse_args(argv)
    counted = render(count())
    current = CONSUMPTION_PATH.read_text(encoding="utf-8") if CONSUMPTION_PATH.exists() else ""
    if counted == current:
        print(f"{CONSUMPTION_PATH.name}: up to date")
        return 0
    if args.check:
        print(f"{CONSUMPTION_PATH.name} is stale: run `python -m ops consumption`", file=sys.stderr)
        return 1
    CONSUMPTION_PATH.write_text(counted, encoding="utf-8")
    print(f"{CONSUMPTION_PATH.name}: counted anew")
    return 0
