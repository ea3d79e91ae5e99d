"""Newest-first pages read within a budget: a page of items and the position after it, from
one index or merged from the shards of one."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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


# A shard's place in a merged listing: None before its first item, DONE once it has nothing
# more, else the position of the last item taken from it.
DONE = "done"
ShardPosition = Position | str | None
SortKey = tuple[int, str]


@dataclass
class _Shard(Generic[T]):
    """One shard during a merged page: what it read and the page has not taken yet."""

    read: Callable[[int], Batch[T]]
    position: ShardPosition
    pending: deque[T] = field(default_factory=deque)
    # The position of the last item it evaluated, None once it has nothing after it.
    last_evaluated: Position | None = None
    evaluated: int = 0
    started: bool = False

    def fetch(self, n: int) -> None:
        batch = self.read(n)
        # A read that reports nothing evaluated still counts: the walk always ends.
        self.evaluated += max(batch.evaluated, 1)
        self.pending.extend(batch.items)
        self.last_evaluated = batch.last_evaluated
        self.started = True

    def exhausted(self) -> bool:
        return self.started and self.last_evaluated is None


def merged_page(
    positions: Sequence[ShardPosition],
    open_shard: Callable[[int, Position | None], Callable[[int], Batch[T]]],
    limit: int,
    position_of: Callable[[T], Position],
    sort_key: Callable[[T], SortKey],
    budget: int = ITEMS_EVALUATED_PER_REQUEST,
) -> tuple[list[T], list[ShardPosition] | None]:
    """The first `limit` items, greatest `sort_key` first, of shards each read newest first:
    shard i from after `positions[i]` through the reads `open_shard(i, that position)` gives
    (as `bounded_page` reads one index), a shard at DONE not at all. Also the positions to
    continue from, None when every shard is done.

    Each shard not done is read once with limit + 1, the page and the one that tells another
    follows; again only when the page needs its next item and it has none left, with what
    the page still needs; each evaluating at most `budget` items in all. When a shard's
    budget runs out before it has an item to compare, the page ends short there. A shard's
    next position is the last item taken from it, its old one if none was, or its last item
    evaluated when it has none left unread by the page (which may be one the filter
    dropped)."""
    if limit < 1:
        raise ValueError("a page holds at least one item")
    shards = {
        i: _Shard(open_shard(i, start), start)
        for i, start in enumerate(positions)
        if not isinstance(start, str)  # DONE
    }
    for shard in shards.values():
        shard.fetch(min(limit + 1, budget))
    page: list[T] = []
    while len(page) < limit:
        waiting = [s for s in shards.values() if not s.pending and not s.exhausted()]
        for shard in waiting:
            while not shard.pending and not shard.exhausted() and shard.evaluated < budget:
                shard.fetch(min(limit + 1 - len(page), budget - shard.evaluated))
        if any(not s.pending and not s.exhausted() for s in shards.values()):
            break  # a shard spent its budget: its next item is unknown
        ready = [s for s in shards.values() if s.pending]
        if not ready:
            break
        newest = max(ready, key=lambda s: sort_key(s.pending[0]))
        item = newest.pending.popleft()
        newest.position = position_of(item)
        page.append(item)
    after: list[ShardPosition] = [DONE] * len(positions)
    for i, shard in shards.items():
        if shard.pending:
            after[i] = shard.position
        elif shard.last_evaluated is not None:
            after[i] = shard.last_evaluated
    return page, None if all(p == DONE for p in after) else after
