"""What the tables share: the pynamodb model each table is declared by, bound to the
settings, and newest-first reads through a `createdAt`-sorted GSI within a page's budget."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pynamodb.connection import Connection
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from api.aws.clients import pynamodb_options
from api.resources import Table
from api.rules.paging import Batch, Position, checked_position
from api.settings import Settings

M = TypeVar("M", bound=Model)
T = TypeVar("T")


def table_model(table: Table) -> type[Model]:
    """The pynamodb model that declares `table` (its `model` in api/resources.py)."""
    module, _, name = table.model.partition(":")
    model: type[Model] = getattr(importlib.import_module(module), name)
    return model


def bind_model(model: type[M], table_key: str, settings: Settings) -> type[M]:
    """A subclass of `model` bound to the table registered as `table_key` and to the region
    and endpoint in `settings`."""
    meta = type(
        "Meta",
        (),
        {
            "table_name": settings.table(table_key),
            "region": settings.region,
            "host": settings.aws_endpoint_url,
            **pynamodb_options(settings),
        },
    )
    return type(f"Bound{model.__name__}", (model,), {"Meta": meta, "__module__": model.__module__})


def model_schema(model: type[Model]) -> dict[str, Any]:
    """The keys and indexes `model` declares, as pynamodb would create its table. A private
    name of pynamodb (Model._get_schema; pynamodb has no public one), named here only."""
    schema: dict[str, Any] = model._get_schema()  # type: ignore[assignment]
    return schema


def model_connection(model: type[Model]) -> Connection:
    """The botocore-backed connection `model` reads and writes through, so that transactions
    use the same client rather than a second one. A private name of pynamodb
    (Model._get_connection), named here only."""
    connection: Connection = model._get_connection().connection
    return connection


def create_table_request(table: Table, settings: Settings) -> dict[str, Any]:
    """The CreateTable request of `table` as on-demand, as its pynamodb model declares it."""
    schema = model_schema(table_model(table))
    request: dict[str, Any] = {
        "TableName": settings.table(table.key),
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": schema["attribute_definitions"],
        "KeySchema": schema["key_schema"],
    }
    if schema["global_secondary_indexes"]:
        request["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index["index_name"],
                "KeySchema": index["key_schema"],
                "Projection": index["projection"],
            }
            for index in schema["global_secondary_indexes"]
        ]
    return request


def start_key(
    position: Mapping[str, Any], id_name: str, partition: tuple[str, str]
) -> dict[str, dict[str, str]]:
    """The ExclusiveStartKey of a createdAt-ordered GSI query, from a page position
    {id_name: uuid, "createdAt": millis}; InvalidCursor for anything else."""
    item_id, created_at = checked_position(position, id_name)
    partition_name, partition_value = partition
    return {
        id_name: {"S": item_id},
        partition_name: {"S": partition_value},
        "createdAt": {"N": str(created_at)},
    }


def position_of_key(key: Mapping[str, Mapping[str, str]], id_name: str) -> Position:
    """The page position {id_name: uuid, "createdAt": millis} of a LastEvaluatedKey of a
    createdAt-ordered GSI query: the inverse of `start_key`."""
    return {id_name: key[id_name]["S"], "createdAt": int(key["createdAt"]["N"])}


def newest_first(
    model: type[M],
    index: GlobalSecondaryIndex[M],
    partition: tuple[str, str],
    id_name: str,
    *,
    keep: Condition,
    after: Mapping[str, Any] | None,
    convert: Callable[[M], T],
) -> Callable[[int], Batch[T]]:
    """Reads of one partition of a createdAt-sorted `index`, newest first from after the
    position `after` (InvalidCursor now if it is not one): each read is one Query of at
    most `n` items, DynamoDB's Limit, which counts the items evaluated before the filter
    `keep`; the next read goes on from the query's LastEvaluatedKey."""
    pages = index.query(
        partition[1],
        scan_index_forward=False,
        filter_condition=keep,
        page_size=1,
        last_evaluated_key=None if after is None else start_key(after, id_name, partition),
    ).page_iter

    def read(n: int) -> Batch[T]:
        pages.page_size = n
        page = next(pages)
        last = page.get("LastEvaluatedKey")
        return Batch(
            [convert(model.from_raw_data(item)) for item in page.get("Items", [])],
            int(page.get("ScannedCount", 0)),
            None if last is None else position_of_key(last, id_name),
        )

    return read
