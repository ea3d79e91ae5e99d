"""Newest-first pages read within a budget: a page of items and the position after it, from
one index or merged from the shards of one."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from api.rules.errors import InvalidCursor

T = TypeVar("T")
Position = dict[str, Any]
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_MAX_MILLIS = 2**53
_NOT_ISSUED = "The cursor is not one this API issued."

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
    follows; again only when the page needs its next item and the filter left it none, with
    the rest of its budget, as `bounded_page` does: each shard evaluates at most `budget`
    items. When a shard's budget runs out before it has an item to compare, the page ends
    short there. A shard's next position is the last item taken from it, its old one if none
    was, or its last item evaluated when the page left none of its items unread (which may
    be one the filter dropped)."""
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
                shard.fetch(budget - shard.evaluated)
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


def checked_position(position: Mapping[str, Any], id_name: str) -> tuple[str, int]:
    """The id and createdAt of a page position {id_name: uuid, "createdAt": millis} of a
    createdAt-ordered listing; InvalidCursor for anything else."""
    item_id, created_at = position.get(id_name), position.get("createdAt")
    if (
        set(position) != {id_name, "createdAt"}
        or not isinstance(item_id, str)
        or not _UUID.match(item_id)
        or type(created_at) is not int
        or not 0 <= created_at < _MAX_MILLIS
    ):
        raise InvalidCursor(_NOT_ISSUED)
    return item_id, created_at


def shard_positions(position: Mapping[str, Any], id_name: str, shards: int) -> list[ShardPosition]:
    """The positions of each of `shards` shards in the page position of a merged listing,
    {"shards": [...]}: each null (not started), "done" or [createdAt, id], as page positions
    {id_name: id, "createdAt": createdAt} of its shard; InvalidCursor for anything else."""
    entries = position.get("shards")
    if set(position) != {"shards"} or not isinstance(entries, list) or len(entries) != shards:
        raise InvalidCursor(_NOT_ISSUED)
    return [_shard_position(entry, id_name) for entry in entries]


def _shard_position(entry: Any, id_name: str) -> ShardPosition:
    if entry is None or entry == DONE:
        return None if entry is None else DONE
    if not isinstance(entry, list) or len(entry) != 2:
        raise InvalidCursor(_NOT_ISSUED)
    position = {id_name: entry[1], "createdAt": entry[0]}
    checked_position(position, id_name)
    return position


def merged_position(positions: Sequence[ShardPosition], id_name: str) -> Position:
    """The page position of a merged listing from its shards' positions: the inverse of
    `shard_positions`."""
    return {
        "shards": [
            p if p is None or isinstance(p, str) else [p["createdAt"], p[id_name]]
            for p in positions
        ]
    }


def merged_listing(
    after: Mapping[str, Any] | None,
    shards: int,
    open_shard: Callable[[int, Position | None], Callable[[int], Batch[T]]],
    limit: int,
    position_of: Callable[[T], Position],
    id_name: str,
) -> tuple[list[T], Position | None]:
    """A page of a listing merged from `shards` shards by (createdAt, id) descending, from
    after the page position `after` (`shard_positions`; None for the first page), and the
    page position to continue from, None when every shard is done."""
    starts = [None] * shards if after is None else shard_positions(after, id_name, shards)

    def sort_key(item: T) -> SortKey:
        position = position_of(item)
        return position["createdAt"], position[id_name]

    items, positions = merged_page(starts, open_shard, limit, position_of, sort_key)
    return items, None if positions is None else merged_position(positions, id_name)
