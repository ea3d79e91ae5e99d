"""What both tables share: binding a pynamodb model to the settings, and paging newest first
through a GSI with `createdAt` as its range key."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from pynamodb.models import Model

from api.aws_faults import pynamodb_options
from api.errors import InvalidCursor
from api.settings import Settings

M = TypeVar("M", bound=Model)
T = TypeVar("T")
Position = dict[str, Any]
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_MAX_MILLIS = 2**53


def bind_model(model: type[M], table_name: str, settings: Settings) -> type[M]:
    """A subclass of `model` bound to `table_name` and the region and endpoint in `settings`."""
    meta = type(
        "Meta",
        (),
        {
            "table_name": table_name,
            "region": settings.region,
            "host": settings.aws_endpoint_url,
            **pynamodb_options(settings),
        },
    )
    return type(f"Bound{model.__name__}", (model,), {"Meta": meta, "__module__": model.__module__})


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


def one_page(
    items: Iterable[T], limit: int, position_of: Callable[[T], Position]
) -> tuple[list[T], Position | None]:
    """The first `limit` of `items` (queried with limit + 1, so that one more tells that
    another page follows, without an empty last page), and the position after them."""
    page = list(items)
    if len(page) <= limit:
        return page, None
    return page[:limit], position_of(page[limit - 1])
