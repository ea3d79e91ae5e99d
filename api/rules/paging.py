"""Newest-first pages: a page of items and the position after it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")
Position = dict[str, Any]


def one_page(
    items: Iterable[T], limit: int, position_of: Callable[[T], Position]
) -> tuple[list[T], Position | None]:
    """The first `limit` of `items` (queried with limit + 1, so that one more tells that
    another page follows, without an empty last page), and the position after them."""
    page = list(items)
    if len(page) <= limit:
        return page, None
    return page[:limit], position_of(page[limit - 1])
