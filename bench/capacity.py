"""`python -m bench.capacity`: the write ceiling of each operation, from the partitions its
DynamoDB writes land on.

DynamoDB serves at most 1,000 write units and 3,000 read units a second on one partition,
of the table or of a GSI; a GSI that cannot keep up throttles the base table's writes. A key
whose values are few however many items there are (a constant, or one of a fixed number of
shards, such as `listShard` on listShard-index, one of LIST_SHARDS) is that many partitions
however far Lambda and the table scale: every request of an operation writes one of them, so
the operation takes at most 1,000 x (those partitions) / (its writes there per request)
requests a second, shared with every other operation writing there, when its requests spread
evenly over them (a hash of random ids does). Keys that differ per request (an id, an email)
spread over as many partitions as the table needs: no ceiling from the key design.

MODEL is, per operation, those writes and partitions. tests/bench/test_capacity.py derives it
from the requests the code really sends to DynamoDB (the items' real attributes, the tables'
real indexes) and fails when they differ.
"""

from __future__ import annotations

from typing import NamedTuple

from api.users.list_shards import LIST_SHARDS

PARTITION_WRITE_UNITS_PER_S = 1000
PARTITION_READ_UNITS_PER_S = 3000


class Shared(NamedTuple):
    """Writes per request to a key that every request of an operation shares, and the
    partitions its values spread over (1 for a constant)."""

    writes: int
    partitions: int = 1


# operation -> {(table, index): what every request writes there}. An index with writes to
# per-request keys only is absent. A write of an item up to 1 KB is one unit on a GSI; on the
# base table a transaction's write costs two, on spread keys.
MODEL: dict[str, dict[tuple[str, str], Shared]] = {
    "createUser": {("users", "listShard-index"): Shared(1, LIST_SHARDS)},
    "renameUser": {("users", "listShard-index"): Shared(1, LIST_SHARDS)},
    "deleteUser": {("users", "listShard-index"): Shared(1, LIST_SHARDS)},
    "createAsset": {},
    "confirmAsset": {},
    "deleteAsset": {},
}
# The same, for the partitions that one caller's requests share (and no one else's): an
# asset's ownerId-index partition is its owner's. They cap one caller, not the service; the
# rate limit (RateLimitPerMinute) caps a caller far below them.
PER_CALLER: dict[str, dict[tuple[str, str], Shared]] = {
    "createAsset": {("assets", "ownerId-index"): Shared(1)},
    "confirmAsset": {("assets", "ownerId-index"): Shared(1)},
    "deleteAsset": {("assets", "ownerId-index"): Shared(1)},
}


def _rate(shared: Shared) -> float:
    return PARTITION_WRITE_UNITS_PER_S * shared.partitions / shared.writes


def _ceiling(shared: dict[tuple[str, str], Shared]) -> dict[str, float | str]:
    if not shared:
        return {"requests_per_s": float("inf"), "partition": "none: every key spreads"}
    (table, index), tightest = min(shared.items(), key=lambda item: _rate(item[1]))
    partitions = f"{tightest.partitions} partition{'' if tightest.partitions == 1 else 's'}"
    return {"requests_per_s": _rate(tightest), "partition": f"{table} {index} ({partitions})"}


def ceilings(
    model: dict[str, dict[tuple[str, str], Shared]] = MODEL,
) -> dict[str, dict[str, float | str]]:
    """Per operation: the most requests a second its shared partitions take, alone, and the
    partitions that set it."""
    return {operation: _ceiling(shared) for operation, shared in model.items()}


def users_writes_ceiling() -> float:
    """The users' creates, renames and deletes together, each writing listShard-index once."""
    return _rate(MODEL["createUser"][("users", "listShard-index")])


def main() -> None:
    print(f"{'operation':<14} {'ceiling (requests/s, alone)':>28}  set by the shared key of")
    for operation, ceiling in ceilings().items():
        print(f"{operation:<14} {ceiling['requests_per_s']:>28.0f}  {ceiling['partition']}")
    print(f"{'per caller':<14}")
    for operation, ceiling in ceilings(PER_CALLER).items():
        print(f"{operation:<14} {ceiling['requests_per_s']:>28.0f}  {ceiling['partition']}")
    print(
        "Operations sharing partitions share their ceiling: users' creates + renames + deletes"
        f" <= {users_writes_ceiling():,.0f}/s together ({PARTITION_WRITE_UNITS_PER_S:,}/s on"
        f" each of the {LIST_SHARDS} partitions of listShard-index); one caller's asset"
        f" creates + confirmations + deletes <= {PARTITION_WRITE_UNITS_PER_S:,}/s on its"
        " ownerId-index partition."
    )


if __name__ == "__main__":
    main()
