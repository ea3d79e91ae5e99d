"""The partitions of the users listing: each user is in one of LIST_SHARDS, by its id."""

from __future__ import annotations

import hashlib

# The partitions of listShard-index. Every create, rename and delete of a user writes one of
# them, so the users' writes together take LIST_SHARDS partitions' throughput; a listing
# page queries each of them once. Changing it moves users between shards: a migration.
LIST_SHARDS = 8


def list_shard(user_id: str) -> str:
    """The listShard of a user: the first 4 bytes of SHA-256 of its UTF-8 id, read as a
    big-endian number, modulo LIST_SHARDS, in decimal."""
    digest = hashlib.sha256(user_id.encode("utf-8")).digest()
    return str(int.from_bytes(digest[:4], "big") % LIST_SHARDS)


def all_list_shards() -> list[str]:
    """Every listShard value, in order."""
    return [str(shard) for shard in range(LIST_SHARDS)]
