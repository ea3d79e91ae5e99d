"""`python -m bench.capacity`: the write ceiling of each operation, from the partitions its
DynamoDB writes land on.

DynamoDB serves at most 1,000 write units and 3,000 read units a second on one partition,
of the table or of a GSI; a GSI that cannot keep up throttles the base table's writes. A key
value that every request of an operation writes to (a constant partition value, such as
`entity = user` on createdAt-index) is one partition however far Lambda and the table scale:
it caps the operation at 1,000 / (its writes there per request) requests a second, shared
with every other operation writing there. Keys that differ per request (an id, an email)
spread over as many partitions as the table needs: no ceiling from the key design.

MODEL is that count per operation. tests/bench/test_capacity.py derives it from the requests
the code really sends to DynamoDB (the items' real attributes, the tables' real indexes) and
fails when they differ.
"""

from __future__ import annotations

PARTITION_WRITE_UNITS_PER_S = 1000
PARTITION_READ_UNITS_PER_S = 3000

# operation -> {(table, index): writes per request to the partition every request shares}.
# An index with writes to per-request keys only is absent. A write of an item up to 1 KB is
# one unit on a GSI; on the base table a transaction's write costs two, on spread keys.
MODEL: dict[str, dict[tuple[str, str], int]] = {
    "createUser": {("users", "createdAt-index"): 1},
    "renameUser": {("users", "createdAt-index"): 1},
    "deleteUser": {("users", "createdAt-index"): 1},
    "createAsset": {},
    "confirmAsset": {},
    "deleteAsset": {},
}
# The same, for the partitions that one caller's requests share (and no one else's): an
# asset's ownerId-index partition is its owner's. They cap one caller, not the service; the
# rate limit (RateLimitPerMinute) caps a caller far below them.
PER_CALLER: dict[str, dict[tuple[str, str], int]] = {
    "createAsset": {("assets", "ownerId-index"): 1},
    "confirmAsset": {("assets", "ownerId-index"): 1},
    "deleteAsset": {("assets", "ownerId-index"): 1},
}


def _ceiling(shared: dict[tuple[str, str], int]) -> dict[str, float | str]:
    if not shared:
        return {"requests_per_s": float("inf"), "partition": "none: every key spreads"}
    (table, index), writes = max(shared.items(), key=lambda item: item[1])
    return {"requests_per_s": PARTITION_WRITE_UNITS_PER_S / writes, "partition": f"{table} {index}"}


def ceilings(
    model: dict[str, dict[tuple[str, str], int]] = MODEL,
) -> dict[str, dict[str, float | str]]:
    """Per operation: the most requests a second its shared partitions take, alone, and the
    partition that sets it."""
    return {operation: _ceiling(shared) for operation, shared in model.items()}


def main() -> None:
    print(f"{'operation':<14} {'ceiling (requests/s, alone)':>28}  set by the one partition of")
    for operation, ceiling in ceilings().items():
        print(f"{operation:<14} {ceiling['requests_per_s']:>28.0f}  {ceiling['partition']}")
    print(f"{'per caller':<14}")
    for operation, ceiling in ceilings(PER_CALLER).items():
        print(f"{operation:<14} {ceiling['requests_per_s']:>28.0f}  {ceiling['partition']}")
    print(
        "Operations sharing a partition share its ceiling: users' creates + renames + deletes"
        f" <= {PARTITION_WRITE_UNITS_PER_S}/s together; one caller's asset creates +"
        f" confirmations + deletes <= {PARTITION_WRITE_UNITS_PER_S}/s on its ownerId-index"
        " partition."
    )


if __name__ == "__main__":
    main()
