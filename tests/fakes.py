"""Test doubles that subclass the interfaces they replace."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from api.assets import Asset, AssetRepository, ObjectStorage, Status, StoredObject
from api.dynamo import one_page
from api.errors import ConcurrentChange, EmailTaken, InvalidCursor, NotFound
from api.users import User, UserQuery, UserRepository


@dataclass
class FakeClock:
    """A clock that only moves when told to."""

    now: float = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def newest_first_page(
    items: list[Any],
    id_name: str,
    id_of: Callable[[Any], str],
    limit: int,
    after: Mapping[str, Any] | None,
) -> tuple[list[Any], dict[str, Any] | None]:
    """A page of items by (createdAt, id) descending, as the createdAt GSIs order them."""
    ordered = sorted(items, key=lambda item: (item.created_at, id_of(item)), reverse=True)
    if after is not None:
        if set(after) != {id_name, "createdAt"}:
            raise InvalidCursor("The cursor is not one this API issued.")
        mark = (after["createdAt"], after[id_name])
        ordered = [item for item in ordered if (item.created_at, id_of(item)) < mark]
    return one_page(
        ordered, limit, lambda item: {id_name: id_of(item), "createdAt": item.created_at}
    )


class InMemoryUserRepository(UserRepository):
    """Users in a dict, with the same uniqueness, version and expiry rules as DynamoDB's."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self._lock = threading.Lock()

    def _email_owner(self, email: str, now_s: int) -> User | None:
        return next((u for u in self.users.values() if u.email == email and u.is_live(now_s)), None)

    def add(self, user: User, now_s: int) -> None:
        with self._lock:
            if self._email_owner(user.email, now_s):
                raise EmailTaken("Another user already has this email.")
            self.users[user.user_id] = user

    def get(self, user_id: str, now_s: int) -> User:
        user = self.users.get(user_id)
        if user is None or not user.is_live(now_s):
            raise NotFound("There is no user with this id.")
        return user

    def replace(self, current: User, new: User, now_s: int) -> None:
        with self._lock:
            if self.users.get(current.user_id) != current or not current.is_live(now_s):
                raise ConcurrentChange("changed")
            owner = self._email_owner(new.email, now_s)
            if owner is not None and owner.user_id != new.user_id:
                raise EmailTaken("Another user already has this email.")
            self.users[new.user_id] = new

    def remove(self, current: User, now_s: int) -> None:
        with self._lock:
            if self.users.get(current.user_id) != current:
                raise ConcurrentChange("changed")
            del self.users[current.user_id]

    def find(
        self, query: UserQuery, limit: int, after: Mapping[str, Any] | None, now_s: int
    ) -> tuple[list[User], dict[str, Any] | None]:
        matching = [
            u
            for u in self.users.values()
            if u.is_live(now_s)
            and query.email in (None, u.email)
            and query.department in (None, u.department)
        ]
        return newest_first_page(matching, "userId", lambda u: u.user_id, limit, after)


class InMemoryAssetRepository(AssetRepository):
    """Asset metadata in a dict, with DynamoDB's version and expiry rules."""

    def __init__(self) -> None:
        self.assets: dict[str, Asset] = {}
        self._lock = threading.Lock()

    def add(self, asset: Asset) -> None:
        self.assets[asset.asset_id] = asset

    def get(self, asset_id: str, now_s: int) -> Asset:
        asset = self.assets.get(asset_id)
        if asset is None or not asset.is_live(now_s):
            raise NotFound("There is no asset with this id.")
        return asset

    def replace(self, current: Asset, new: Asset, now_s: int) -> None:
        with self._lock:
            if self.assets.get(current.asset_id) != current:
                raise ConcurrentChange("changed")
            self.assets[new.asset_id] = new

    def remove(self, current: Asset) -> None:
        with self._lock:
            stored = self.assets.pop(current.asset_id, None)
            if stored not in (None, current):
                self.assets[current.asset_id] = stored
                raise ConcurrentChange("changed")

    def find(
        self, status: Status | None, limit: int, after: Mapping[str, Any] | None, now_s: int
    ) -> tuple[list[Asset], dict[str, Any] | None]:
        matching = [
            a for a in self.assets.values() if a.is_live(now_s) and status in (None, a.status)
        ]
        return newest_first_page(matching, "assetId", lambda a: a.asset_id, limit, after)


class InMemoryObjectStorage(ObjectStorage):
    """A bucket in a dict: key -> (bytes, content type); URLs name what they allow."""

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
        return StoredObject(size=len(data), content_type=content_type)

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)
        self.deleted.append(key)
