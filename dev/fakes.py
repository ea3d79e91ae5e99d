"""In-memory stand-ins for the storage interfaces, subclassing them, with the same rules as
DynamoDB and S3: the one family of fakes of the tests and the benchmark.

What they cost stays out of the benchmark's figures: reads and writes are dict accesses,
emails and departments are indexed, and a listing walks the items newest first only as far
as its page, within the same budget of items evaluated as DynamoDB's Query.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from api.assets.service import (
    NO_SUCH_ASSET,
    Asset,
    AssetRepository,
    ObjectStorage,
    Status,
    StoredObject,
)
from api.rules.errors import ConcurrentChange, EmailTaken, InvalidCursor, NotFound
from api.rules.paging import Batch, Position, bounded_page, checked_position, merged_listing
from api.rules.rate_limits import HitCounter
from api.users.list_shards import LIST_SHARDS, list_shard
from api.users.service import NO_SUCH_USER, User, UserQuery, UserRepository

T = TypeVar("T", User, Asset)
SortKey = tuple[int, str]


@dataclass
class FakeClock:
    """A clock that only moves when told to."""

    now: float = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class CreatedAtOrder:
    """The (createdAt, id) of the stored items, kept sorted as a createdAt GSI keeps them."""

    def __init__(self) -> None:
        self._keys: list[SortKey] = []

    def add(self, key: SortKey) -> None:
        bisect.insort(self._keys, key)

    def remove(self, key: SortKey) -> None:
        at = bisect.bisect_left(self._keys, key)
        if at == len(self._keys) or self._keys[at] != key:
            raise KeyError(key)
        del self._keys[at]

    def newest_first(self, before: tuple[Any, Any] | None = None) -> Iterator[SortKey]:
        """The keys from the newest, starting below `before` if given."""
        end = len(self._keys) if before is None else bisect.bisect_left(self._keys, before)
        return itertools.islice(reversed(self._keys), len(self._keys) - end, None)


def newest_first_reads(
    items: Mapping[str, T],
    order: CreatedAtOrder,
    id_name: str,
    matches: Callable[[T], bool],
    after: Mapping[str, Any] | None,
) -> Callable[[int], Batch[T]]:
    """Reads of the matching `items` by (createdAt, id) descending, as the createdAt GSIs
    order them, each as a DynamoDB Query with a Limit and a filter reads: on from where the
    previous one stopped, starting after the position `after`."""
    mark = None
    if after is not None:
        item_id, created_at = checked_position(after, id_name)
        mark = (created_at, item_id)
    keys = order.newest_first(mark)
    upcoming = next(keys, None)

    def read(n: int) -> Batch[T]:
        nonlocal upcoming
        evaluated: list[SortKey] = []
        while upcoming is not None and len(evaluated) < n:
            evaluated.append(upcoming)
            upcoming = next(keys, None)
        last = evaluated[-1] if evaluated and upcoming is not None else None
        looked_up = [items[item_id] for _, item_id in evaluated]
        return Batch(
            [item for item in looked_up if matches(item)],
            len(evaluated),
            None if last is None else {id_name: last[1], "createdAt": last[0]},
        )

    return read


def newest_first_page(
    items: Mapping[str, T],
    order: CreatedAtOrder,
    id_name: str,
    id_of: Callable[[T], str],
    matches: Callable[[T], bool],
    limit: int,
    after: Mapping[str, Any] | None,
) -> tuple[list[T], dict[str, Any] | None]:
    """A page of the matching `items` newest first, read as a DynamoDB Query with a filter
    reads it: as far as the page and the one item that tells another follows, evaluating at
    most the listings' budget of items, matching or not (api/rules/paging.py)."""
    return bounded_page(
        newest_first_reads(items, order, id_name, matches, after),
        limit,
        lambda item: {id_name: id_of(item), "createdAt": item.created_at},
    )


class InMemoryUserRepository(UserRepository):
    """Users in a dict, with the same uniqueness, version and expiry rules as DynamoDB's."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self._lock = threading.Lock()
        # The users of each list shard, as listShard-index holds them.
        self._shards = [CreatedAtOrder() for _ in range(LIST_SHARDS)]
        # The users of each department, as department-index holds them.
        self._departments: dict[str, CreatedAtOrder] = {}
        # The ids of the users with each email, and the order in which `users` holds them.
        self._with_email: dict[str, set[str]] = {}
        self._places: dict[str, int] = {}
        self._next_place = itertools.count()

    def _email_owner(self, email: str, now_s: int) -> User | None:
        """The live user with this email that comes first in `users`."""
        users = (self.users[user_id] for user_id in self._with_email.get(email, ()))
        live = [user for user in users if user.is_live(now_s)]
        return min(live, key=lambda user: self._places[user.user_id], default=None)

    def _store(self, user: User) -> None:
        stored = self.users.get(user.user_id)
        self.users[user.user_id] = user
        if stored is None:
            self._places[user.user_id] = next(self._next_place)
        elif (stored.email, stored.created_at, stored.department) == (
            user.email,
            user.created_at,
            user.department,
        ):
            return
        else:
            self._unindex(stored)
        self._with_email.setdefault(user.email, set()).add(user.user_id)
        self._shard(user).add((user.created_at, user.user_id))
        if user.department is not None:
            department = self._departments.setdefault(user.department, CreatedAtOrder())
            department.add((user.created_at, user.user_id))

    def _shard(self, user: User) -> CreatedAtOrder:
        return self._shards[int(list_shard(user.user_id))]

    def _unindex(self, user: User) -> None:
        ids = self._with_email[user.email]
        ids.discard(user.user_id)
        if not ids:
            del self._with_email[user.email]
        self._shard(user).remove((user.created_at, user.user_id))
        if user.department is not None:
            self._departments[user.department].remove((user.created_at, user.user_id))

    def add(self, user: User, now_s: int) -> None:
        with self._lock:
            if self._email_owner(user.email, now_s):
                raise EmailTaken("Another user already has this email.")
            self._store(user)

    def get(self, user_id: str, now_s: int) -> User:
        user = self.users.get(user_id)
        if user is None or not user.is_live(now_s):
            raise NotFound(NO_SUCH_USER)
        return user

    def replace(self, current: User, new: User, now_s: int) -> None:
        with self._lock:
            if self.users.get(current.user_id) != current or not current.is_live(now_s):
                raise ConcurrentChange("changed")
            owner = self._email_owner(new.email, now_s)
            if owner is not None and owner.user_id != new.user_id:
                raise EmailTaken("Another user already has this email.")
            self._store(new)

    def remove(self, current: User, now_s: int) -> None:
        with self._lock:
            if self.users.get(current.user_id) != current:
                raise ConcurrentChange("changed")
            self._unindex(self.users.pop(current.user_id))
            del self._places[current.user_id]

    def find(
        self, query: UserQuery, limit: int, after: Mapping[str, Any] | None, now_s: int
    ) -> tuple[list[User], dict[str, Any] | None]:
        email, department = query.email, query.department
        with self._lock:
            if email is not None:
                # As DynamoDB's: the owner of the email's guard, always a single page.
                if after is not None:
                    raise InvalidCursor("The cursor belongs to a query with other filters.")
                owner = self._email_owner(email, now_s)
                if owner is None or department not in (None, owner.department):
                    return [], None
                return [owner][:limit], None
            if department is None:
                return self._everyone(limit, after, now_s)
            return newest_first_page(
                self.users,
                self._departments.get(department, CreatedAtOrder()),
                "userId",
                lambda u: u.user_id,
                lambda user: user.is_live(now_s),
                limit,
                after,
            )

    def _everyone(
        self, limit: int, after: Mapping[str, Any] | None, now_s: int
    ) -> tuple[list[User], dict[str, Any] | None]:
        """As DynamoDB's: the pages of every list shard merged."""

        def open_shard(shard: int, start: Position | None) -> Callable[[int], Batch[User]]:
            return newest_first_reads(
                self.users, self._shards[shard], "userId", lambda u: u.is_live(now_s), start
            )

        return merged_listing(
            after,
            LIST_SHARDS,
            open_shard,
            limit,
            lambda user: {"userId": user.user_id, "createdAt": user.created_at},
            "userId",
        )


class InMemoryAssetRepository(AssetRepository):
    """Asset metadata in a dict, with DynamoDB's version and expiry rules."""

    def __init__(self) -> None:
        self.assets: dict[str, Asset] = {}
        self._lock = threading.Lock()
        # Each owner's assets in createdAt order, as the ownerId-index partitions them.
        self._orders: dict[str | None, CreatedAtOrder] = {}

    def _order(self, asset: Asset) -> CreatedAtOrder:
        return self._orders.setdefault(asset.owner_id, CreatedAtOrder())

    def _store(self, asset: Asset) -> None:
        stored = self.assets.get(asset.asset_id)
        self.assets[asset.asset_id] = asset
        if stored is not None:
            self._order(stored).remove((stored.created_at, stored.asset_id))
        self._order(asset).add((asset.created_at, asset.asset_id))

    def add(self, asset: Asset) -> None:
        with self._lock:
            self._store(asset)

    def get(self, asset_id: str, now_s: int) -> Asset:
        asset = self.assets.get(asset_id)
        if asset is None or not asset.is_live(now_s):
            raise NotFound(NO_SUCH_ASSET)
        return asset

    def replace(self, current: Asset, new: Asset, now_s: int) -> None:
        with self._lock:
            if self.assets.get(current.asset_id) != current:
                raise ConcurrentChange("changed")
            self._store(new)

    def remove(self, current: Asset) -> None:
        with self._lock:
            stored = self.assets.get(current.asset_id)
            if stored is None:
                return
            if stored != current:
                raise ConcurrentChange("changed")
            del self.assets[current.asset_id]
            self._order(stored).remove((stored.created_at, stored.asset_id))

    def find(
        self,
        owner_id: str,
        status: Status | None,
        limit: int,
        after: Mapping[str, Any] | None,
        now_s: int,
    ) -> tuple[list[Asset], dict[str, Any] | None]:
        def matches(asset: Asset) -> bool:
            return asset.is_live(now_s) and (status is None or status == asset.status)

        with self._lock:
            order = self._orders.get(owner_id, CreatedAtOrder())
            return newest_first_page(
                self.assets, order, "assetId", lambda a: a.asset_id, matches, limit, after
            )


class InMemoryObjectStorage(ObjectStorage):
    """A bucket in a dict: key -> (bytes, content type); URLs name what they allow; ETags
    and conditional copies as S3's."""

    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.deleted: list[str] = []

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """What a client's upload through the presigned POST does."""
        self.objects[key] = (data, content_type)

    def presign_upload(
        self, key: str, content_type: str, size: int, expires_in: int
    ) -> tuple[str, dict[str, str]]:
        return "https://bucket.example/", {"key": key, "Content-Type": content_type}

    def presign_download(
        self, key: str, content_type: str, disposition: str, expires_in: int
    ) -> str:
        return f"https://bucket.example/{key}?type={content_type}&disposition={disposition}"

    def head(self, key: str) -> StoredObject | None:
        if key not in self.objects:
            return None
        data, content_type = self.objects[key]
        return StoredObject(size=len(data), content_type=content_type, etag=_etag(data))

    def copy(self, source: str, target: str, *, source_etag: str) -> bool:
        stored = self.objects.get(source)
        if stored is None or _etag(stored[0]) != source_etag or target in self.objects:
            return False
        self.objects[target] = stored
        return True

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)
        self.deleted.append(key)


def _etag(data: bytes) -> str:
    """S3's ETag of an object uploaded in one part: its MD5, quoted."""
    return f'"{hashlib.md5(data).hexdigest()}"'  # noqa: S324 - S3's choice, not a secret


class InMemoryHitCounter(HitCounter):
    """Request counts in a dict, atomic under a lock; expired windows are kept."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, expires_at: int) -> int:
        with self._lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            return self.counts[key]
