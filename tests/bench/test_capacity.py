"""The capacity model (bench/capacity.py) against the writes the code really sends: each
operation runs many times, on as many different users or assets, with every DynamoDB write
recorded; an index whose partition values are fewer than the runs has partitions every
request shares, as many as those values."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

import pytest

from api.assets.storage import DynamoAssetRepository, bind_asset_table
from api.aws.dynamo import model_connection, model_schema
from api.users.list_shards import LIST_SHARDS
from api.users.storage import DynamoUserRepository, bind_user_table
from bench.capacity import MODEL, PER_CALLER, Shared, ceilings, main, users_writes_ceiling
from tests.integration.test_asset_storage import OWNER, make_asset
from tests.integration.test_user_store import NOW, make_user


class Recorder:
    """Every item a model's writes put or delete, in order, with its table's indexes."""

    def __init__(self, model: Any, table: str) -> None:
        self.table = table
        schema = model_schema(model)
        self.key = _hash_first(schema["key_schema"])[0]
        # index -> its key attributes, the partition attribute first
        self.indexes = {
            index["index_name"]: _hash_first(index["key_schema"])
            for index in schema["global_secondary_indexes"]
        }
        self.stored: dict[str, dict[str, Any]] = {}
        self.writes: list[tuple[str, str, Any]] = []
        client = model_connection(model).client
        client.meta.events.register("before-parameter-build.dynamodb", self._before)

    def _before(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        name = model.name
        if name == "TransactWriteItems":
            for action in params["TransactItems"]:
                ((kind, request),) = action.items()
                self._write(kind, request)
        elif name in {"PutItem", "DeleteItem"}:
            self._write("Put" if name == "PutItem" else "Delete", params)

    def _write(self, kind: str, request: dict[str, Any]) -> None:
        if kind == "ConditionCheck":
            return
        key_value = (request.get("Item") or request["Key"])[self.key]["S"]
        old = self.stored.get(key_value)
        new = request["Item"] if kind == "Put" else None
        for index, attributes in self.indexes.items():
            before = _index_key(old, attributes)
            after = _index_key(new, attributes)
            if before is not None and before != after:
                self.writes.append((index, attributes[0], before[0]))
            if after is not None:
                self.writes.append((index, attributes[0], after[0]))
        if new is None:
            self.stored.pop(key_value, None)
        else:
            self.stored[key_value] = new


def _hash_first(key_schema: list[dict[str, str]]) -> list[str]:
    ordered = sorted(key_schema, key=lambda key: key["KeyType"] != "HASH")
    return [key["AttributeName"] for key in ordered]


def _index_key(item: dict[str, Any] | None, attributes: list[str]) -> tuple[Any, ...] | None:
    if item is None or any(a not in item for a in attributes):
        return None
    return tuple(next(iter(item[a].values())) for a in attributes)


def shared_writes(runs: list[list[Any]], table: str) -> dict[tuple[str, str], Shared]:
    """Per index whose partition values repeat across `runs` (fewer values than runs): the
    writes there per request, and the partitions those values are."""
    values: dict[str, set[Any]] = {}
    writes: dict[str, set[int]] = {}
    for run in runs:
        per_index = Counter(index for index, _, _ in run)
        for index, count in per_index.items():
            writes.setdefault(index, set()).add(count)
        for index, _, value in run:
            values.setdefault(index, set()).add(value)
    shared = {}
    for index, seen in values.items():
        if len(seen) < len(runs):
            (per_request,) = writes[index]  # the same in every run
            shared[(table, index)] = Shared(per_request, len(seen))
    return shared


def run_many(recorder: Recorder, operation, runs: int) -> dict[tuple[str, str], Shared]:
    recorded = []
    for n in range(1, runs + 1):
        start = len(recorder.writes)
        operation(n)
        recorded.append(recorder.writes[start:])
    return shared_writes(recorded, recorder.table)


@pytest.fixture
def users(settings):
    model = bind_user_table(settings)
    return DynamoUserRepository(model), Recorder(model, "users")


@pytest.fixture
def assets(settings):
    model = bind_asset_table(settings)
    return DynamoAssetRepository(model), Recorder(model, "assets")


# Enough users that every list shard is written several times over.
USER_RUNS = 4 * LIST_SHARDS


def test_the_users_operations_write_the_shared_partitions_the_model_says(users):
    repository, recorder = users
    created = {n: make_user(n, department=f"Dept {n}") for n in range(1, USER_RUNS + 1)}
    measured = {
        "createUser": run_many(recorder, lambda n: repository.add(created[n], NOW), USER_RUNS),
        "renameUser": run_many(
            recorder,
            lambda n: repository.replace(created[n], replace(created[n], name="R"), NOW),
            USER_RUNS,
        ),
    }
    renamed = {n: repository.get(created[n].user_id, NOW) for n in created}
    measured["deleteUser"] = run_many(
        recorder, lambda n: repository.remove(renamed[n], NOW), USER_RUNS
    )

    assert measured == {op: MODEL[op] for op in ("createUser", "renameUser", "deleteUser")}


ASSET_RUNS = 4


def asset_runs(assets, owner_of) -> dict[str, dict[tuple[str, str], Shared]]:
    """The shared writes of creating, confirming and deleting assets, the n-th of
    `owner_of(n)`."""
    repository, recorder = assets
    created = {n: make_asset(n, owner_id=owner_of(n)) for n in range(1, ASSET_RUNS + 1)}
    measured = {"createAsset": run_many(recorder, lambda n: repository.add(created[n]), ASSET_RUNS)}
    confirmed = {n: replace(created[n], status="uploaded", version=2) for n in created}
    measured["confirmAsset"] = run_many(
        recorder, lambda n: repository.replace(created[n], confirmed[n], NOW), ASSET_RUNS
    )
    measured["deleteAsset"] = run_many(
        recorder, lambda n: repository.remove(confirmed[n]), ASSET_RUNS
    )
    return measured


ASSET_OPERATIONS = ("createAsset", "confirmAsset", "deleteAsset")


def test_two_callers_assets_share_the_partitions_the_model_says(assets):
    measured = asset_runs(assets, lambda n: f"owner-{n}")

    assert measured == {op: MODEL[op] for op in ASSET_OPERATIONS}


def test_one_callers_assets_share_its_own_partitions_as_the_model_says(assets):
    measured = asset_runs(assets, lambda n: OWNER)

    assert measured == {op: MODEL[op] | PER_CALLER[op] for op in ASSET_OPERATIONS}


def test_the_ceilings_follow_from_the_shared_partitions_of_each_operation():
    found = ceilings()

    assert found["createUser"] == {
        "requests_per_s": 8000.0,
        "partition": "users listShard-index (8 partitions)",
    }
    assert users_writes_ceiling() == 1000.0 * LIST_SHARDS
    assert found["createAsset"]["requests_per_s"] == float("inf")
    assert ceilings(PER_CALLER)["confirmAsset"] == {
        "requests_per_s": 1000.0,
        "partition": "assets ownerId-index (1 partition)",
    }


def test_the_capacity_command_prints_the_users_ceiling_over_the_shards(capsys):
    main()

    out = capsys.readouterr().out
    assert "users' creates + renames + deletes <= 8,000/s together" in out
    assert "1,000/s on each of the 8 partitions of listShard-index" in out
