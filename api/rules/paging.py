"""Newest-first pages read within a budget: a page of items and the position after it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Position = dict[str, Any]

# The most items one listing request evaluates: items read from an index, whether its filter
# keeps them or not (expired items not yet swept count as much as live ones). When the budget
# runs out before the page is full, the page is short and carries a cursor. At least the
# largest page plus one (tests/unit/test_paging.py checks it against the spec's `limit`), so
# that a page that nothing filters out is never short.
ITEMS_EVALUATED_PER_REQUEST = 200


@dataclass(frozen=True)
class Batch(Generic[T]):
    """One read of an index: the items its filter kept, in order; how many items it
    evaluated to find them; and the position of the last item evaluated, or None when the
    index has nothing after it."""

    items: list[T]
    evaluated: int
    last_evaluated: Position | None


def bounded_page(
    read: Callable[[int], Batch[T]],
    limit: int,
    position_of: Callable[[T], Position],
    budget: int = ITEMS_EVALUATED_PER_REQUEST,
) -> tuple[list[T], Position | None]:
    """The first `limit` items of successive `read(n)` (each evaluating at most `n` items, on
    from where the previous one stopped), evaluating at most `budget` items in all; and the
    position to continue from, None when nothing follows.

    The first read asks for limit + 1 items: when they all match, the extra one tells that
    another page follows (no empty last page) and the page ends at its last item. When the
    budget runs out first, the page is short and continues after the last item evaluated,
    which may be one the filter dropped."""
    if limit < 1:
        raise ValueError("a page holds at least one item")
    found: list[T] = []
    evaluated = 0
    size = min(limit + 1, budget)
    while True:
        batch = read(size)
        # A read that reports nothing evaluated still counts: the walk always ends.
        evaluated += max(batch.evaluated, 1)
        found.extend(batch.items)
        if len(found) > limit:
            return found[:limit], position_of(found[limit - 1])
        if batch.last_evaluated is None:
            return found, None
        if evaluated >= budget:
            return found, batch.last_evaluated
        size = budget - evaluated
