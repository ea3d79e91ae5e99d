"""Assets: the domain object, the storage interfaces it needs and the service holding the rules."""

from __future__ import annotations

import abc
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from api.assets.file_names import content_disposition, safe_file_name
from api.rules.cursors import decode_cursor, encode_cursor
from api.rules.errors import AssetNotReady, ConcurrentChange, NotFound, ServiceUnavailable

Clock = Callable[[], float]
Status = Literal["pending", "uploaded", "rejected"]
KEY_PREFIX = "assets/"
LIFETIME_SECONDS = 30 * 24 * 3600
DOWNLOAD_URL_SECONDS = 3600
# How often a change is retried when other writers keep winning the race.
_WRITE_ATTEMPTS = 5


@dataclass(frozen=True)
class Asset:
    """A file's metadata as stored; timestamps in epoch milliseconds, expiry in seconds."""

    asset_id: str
    file_name: str
    content_type: str
    size: int
    status: Status
    s3_key: str
    created_at: int
    updated_at: int
    expires_at: int
    version: int

    def is_live(self, now_s: int) -> bool:
        """Expired assets are gone, whether or not DynamoDB's TTL sweep has removed them."""
        return self.expires_at > now_s


@dataclass(frozen=True)
class PresignedPost:
    url: str
    fields: dict[str, str]
    expires_at: int  # epoch seconds


@dataclass(frozen=True)
class PresignedGet:
    url: str
    expires_at: int  # epoch seconds


@dataclass(frozen=True)
class StoredObject:
    """What S3 says of an object: its real size and content type."""

    size: int
    content_type: str


@dataclass(frozen=True)
class AssetPage:
    items: list[Asset]
    next_cursor: str | None


class AssetRepository(abc.ABC):
    """Storage of asset metadata."""

    @abc.abstractmethod
    def add(self, asset: Asset) -> None:
        """Store a new asset."""

    @abc.abstractmethod
    def get(self, asset_id: str, now_s: int) -> Asset:
        """The live asset with this id (read-your-writes); NotFound otherwise."""

    @abc.abstractmethod
    def replace(self, current: Asset, new: Asset, now_s: int) -> None:
        """Write `new` over `current`; ConcurrentChange if the stored asset is not `current`."""

    @abc.abstractmethod
    def remove(self, current: Asset) -> None:
        """Delete `current`; ConcurrentChange if it has changed (not if it is gone)."""

    @abc.abstractmethod
    def find(
        self, status: Status | None, limit: int, after: Mapping[str, Any] | None, now_s: int
    ) -> tuple[list[Asset], dict[str, Any] | None]:
        """Up to `limit` live assets (of `status`, if given), newest first, starting after
        the position `after`; and the position after the last one if more may follow.
        InvalidCursor if `after` is not a position this repository produced."""


class ObjectStorage(abc.ABC):
    """The bucket holding the files; uploads and downloads go straight to it."""

    @abc.abstractmethod
    def presign_upload(
        self, key: str, content_type: str, size: int, expires_in: int
    ) -> tuple[str, dict[str, str]]:
        """A POST URL and form fields whose policy pins the key, type and exact size."""

    @abc.abstractmethod
    def presign_download(
        self, key: str, content_type: str, disposition: str, expires_in: int
    ) -> str:
        """A GET URL that serves the object with this Content-Type and Content-Disposition."""

    @abc.abstractmethod
    def head(self, key: str) -> StoredObject | None:
        """The object's size and type, or None if there is no such object."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Delete the object; deleting a missing object is not an error."""


def asset_id_of(key: str) -> str | None:
    """The asset id in a key `assets/{assetId}/{name}`, or None for any other key."""
    parts = key.split("/")
    if len(parts) != 3 or parts[0] + "/" != KEY_PREFIX:
        return None
    try:
        return str(uuid.UUID(parts[1])) if len(parts[1]) == 36 else None
    except ValueError:
        return None


class AssetService:
    """The rules for assets: presigned transfers, the upload lifecycle, expiry, paging."""

    def __init__(
        self,
        repository: AssetRepository,
        storage: ObjectStorage,
        clock: Clock = time.time,
        upload_expires_seconds: int = 900,
    ) -> None:
        self._repository = repository
        self._storage = storage
        self._clock = clock
        self._upload_expires_seconds = upload_expires_seconds

    def _now(self) -> tuple[int, int]:
        now = self._clock()
        return int(now), int(now * 1000)

    def create(self, file_name: str, content_type: str, size: int) -> tuple[Asset, PresignedPost]:
        now_s, now_ms = self._now()
        asset_id = str(uuid.uuid4())
        asset = Asset(
            asset_id=asset_id,
            file_name=file_name,
            content_type=content_type,
            size=size,
            status="pending",
            s3_key=f"{KEY_PREFIX}{asset_id}/{safe_file_name(file_name)}",
            created_at=now_ms,
            updated_at=now_ms,
            expires_at=now_s + LIFETIME_SECONDS,
            version=1,
        )
        # The metadata is stored before a URL exists, so every upload that can happen has
        # its asset (presigning is local computation).
        self._repository.add(asset)
        return asset, self.renew_upload(asset.s3_key, content_type, size)

    def renew_upload(self, key: str, content_type: str, size: int) -> PresignedPost:
        """A new presigned POST for an asset's object, as `create` made the first."""
        now_s, _ = self._now()
        url, fields = self._storage.presign_upload(
            key, content_type, size, self._upload_expires_seconds
        )
        return PresignedPost(url, fields, now_s + self._upload_expires_seconds)

    def get(self, asset_id: str) -> Asset:
        now_s, _ = self._now()
        asset = self._repository.get(asset_id, now_s)
        return self._confirm(asset) if asset.status == "pending" else asset

    def list(self, status: Status | None, limit: int, cursor: str | None = None) -> AssetPage:
        now_s, _ = self._now()
        query = {"status": status}
        after = None if cursor is None else decode_cursor(cursor, query)
        assets, position = self._repository.find(status, limit, after, now_s)
        next_cursor = None if position is None else encode_cursor(query, position)
        return AssetPage(items=assets, next_cursor=next_cursor)

    def download(self, asset_id: str) -> PresignedGet:
        asset = self.get(asset_id)
        if asset.status != "uploaded":
            raise AssetNotReady(
                "The asset's file has not been uploaded yet."
                if asset.status == "pending"
                else "The asset's file was rejected: its size or type was not as declared."
            )
        now_s, _ = self._now()
        url = self._storage.presign_download(
            asset.s3_key,
            asset.content_type,
            content_disposition(asset.file_name),
            DOWNLOAD_URL_SECONDS,
        )
        return PresignedGet(url, now_s + DOWNLOAD_URL_SECONDS)

    def delete(self, asset_id: str) -> None:
        for _ in range(_WRITE_ATTEMPTS):
            now_s, _ = self._now()
            asset = self._repository.get(asset_id, now_s)
            try:
                self._repository.remove(asset)
            except ConcurrentChange:
                continue
            try:
                self._storage.delete(asset.s3_key)
            except ServiceUnavailable:
                # Put the metadata back: the asset stays whole and the client may retry.
                # (Should that fail too, the object is left unreferenced and invisible,
                # and the bucket's lifecycle rule expires it.)
                self._repository.add(asset)
                raise
            return
        raise ConcurrentChange("The asset is being changed by other requests; try again.")

    def object_created(self, key: str) -> Asset | None:
        """Handle S3's ObjectCreated for `key`: confirm or reject its asset. Idempotent;
        a key of no live asset is an orphan and is deleted; other keys are ignored."""
        asset_id = asset_id_of(key)
        if asset_id is None:
            return None
        now_s, _ = self._now()
        try:
            asset = self._repository.get(asset_id, now_s)
        except NotFound:
            self._storage.delete(key)
            return None
        if asset.s3_key != key:
            self._storage.delete(key)
            return None
        return asset if asset.status == "rejected" else self._confirm(asset)

    def _confirm(self, asset: Asset) -> Asset:
        """Compare the stored object with the declaration: `uploaded` if they agree,
        `rejected` (and the object deleted) if not; unchanged while there is no object."""
        for _ in range(_WRITE_ATTEMPTS):
            stored = self._storage.head(asset.s3_key)
            if stored is None:
                return asset
            matches = stored.size == asset.size and stored.content_type == asset.content_type
            status: Status = "uploaded" if matches else "rejected"
            if status == asset.status:
                return asset
            if status == "rejected":
                self._storage.delete(asset.s3_key)
            now_s, now_ms = self._now()
            new = replace(
                asset,
                status=status,
                updated_at=max(now_ms, asset.updated_at),
                version=asset.version + 1,
            )
            try:
                self._repository.replace(asset, new, now_s)
            except ConcurrentChange:
                asset = self._repository.get(asset.asset_id, now_s)
                if asset.status == "rejected":
                    return asset
                continue
            return new
        raise ConcurrentChange("The asset is being changed by other requests; try again.")
