"""The capacity model (bench/capacity.py) against the writes the code really sends: each
operation runs twice, on two different users or assets, with every DynamoDB write recorded;
an index partition written by both runs is one every request shares."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from api.assets.storage import DynamoAssetRepository, bind_asset_table
from api.aws.dynamo import model_connection, model_schema
from api.users.storage import DynamoUserRepository, bind_user_table
from bench.capacity import MODEL, PER_CALLER, ceilings
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


def shared_writes(first: list[Any], second: list[Any], table: str) -> dict[tuple[str, str], int]:
    """Writes per request to the index partitions that both runs wrote to."""
    shared = {(index, value) for index, _, value in first} & {
        (index, value) for index, _, value in second
    }
    counts = Counter((table, index) for index, _, value in first if (index, value) in shared)
    return dict(counts)


def run_twice(recorder: Recorder, operation) -> dict[tuple[str, str], int]:
    runs = []
    for n in (1, 2):
        start = len(recorder.writes)
        operation(n)
        runs.append(recorder.writes[start:])
    return shared_writes(runs[0], runs[1], recorder.table)


@pytest.fixture
def users(settings):
    model = bind_user_table(settings)
    return DynamoUserRepository(model), Recorder(model, "users")


@pytest.fixture
def assets(settings):
    model = bind_asset_table(settings)
    return DynamoAssetRepository(model), Recorder(model, "assets")


def test_the_users_operations_write_the_shared_partitions_the_model_says(users):
    repository, recorder = users
    created = {n: make_user(n, department=f"Dept {n}") for n in (1, 2)}
    measured = {
        "createUser": run_twice(recorder, lambda n: repository.add(created[n], NOW)),
        "renameUser": run_twice(
            recorder,
            lambda n: repository.replace(
                created[n], created[n].__class__(**{**vars(created[n]), "name": "R"}), NOW
            ),
        ),
    }
    renamed = {n: repository.get(created[n].user_id, NOW) for n in (1, 2)}
    measured["deleteUser"] = run_twice(recorder, lambda n: repository.remove(renamed[n], NOW))

    assert measured == {op: MODEL[op] for op in ("createUser", "renameUser", "deleteUser")}


def asset_runs(assets, owners: tuple[str, str]) -> dict[str, dict[tuple[str, str], int]]:
    """The shared writes of creating, confirming and deleting two assets of `owners`."""
    repository, recorder = assets
    created = {n: make_asset(n, owner_id=owners[n - 1]) for n in (1, 2)}
    measured = {"createAsset": run_twice(recorder, lambda n: repository.add(created[n]))}
    confirmed = {
        n: created[n].__class__(**{**vars(created[n]), "status": "uploaded", "version": 2})
        for n in (1, 2)
    }
    measured["confirmAsset"] = run_twice(
        recorder, lambda n: repository.replace(created[n], confirmed[n], NOW)
    )
    measured["deleteAsset"] = run_twice(recorder, lambda n: repository.remove(confirmed[n]))
    return measured


ASSET_OPERATIONS = ("createAsset", "confirmAsset", "deleteAsset")


def test_two_callers_assets_share_the_partitions_the_model_says(assets):
    measured = asset_runs(assets, (OWNER, "another-owner"))

    assert measured == {op: MODEL[op] for op in ASSET_OPERATIONS}


def test_one_callers_assets_share_its_own_partitions_as_the_model_says(assets):
    measured = asset_runs(assets, (OWNER, OWNER))

    assert measured == {op: MODEL[op] | PER_CALLER[op] for op in ASSET_OPERATIONS}


def test_the_ceilings_follow_from_the_one_partition_of_each_operation():
    found = ceilings()

    assert found["createUser"] == {"requests_per_s": 1000.0, "partition": "users createdAt-index"}
    assert found["createAsset"]["requests_per_s"] == float("inf")
    assert ceilings(PER_CALLER)["confirmAsset"] == {
        "requests_per_s": 1000.0,
        "partition": "assets ownerId-index",
    }
