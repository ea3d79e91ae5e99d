"""What the tables share: the pynamodb model each table is declared by, bound to the
settings, and the start key of a newest-first page through a `createdAt` GSI."""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from typing import Any, TypeVar

from pynamodb.connection import Connection
from pynamodb.models import Model

from api.aws.clients import pynamodb_options
from api.resources import Table
from api.rules.errors import InvalidCursor
from api.settings import Settings

M = TypeVar("M", bound=Model)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_MAX_MILLIS = 2**53


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
    item_id, created_at = position.get(id_name), position.get("createdAt")
    if (
        set(position) != {id_name, "createdAt"}
        or not isinstance(item_id, str)
        or not _UUID.match(item_id)
        or type(created_at) is not int
        or not 0 <= created_at < _MAX_MILLIS
    ):
        raise InvalidCursor("The cursor is not one this API issued.")
    partition_name, partition_value = partition
    return {
        id_name: {"S": item_id},
        partition_name: {"S": partition_value},
        "createdAt": {"N": str(created_at)},
    }
