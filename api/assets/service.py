"""Assets: the domain object, the storage interfaces it needs and the service holding the rules."""

from __future__ import annotations

import abc
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from api.assets.file_names import content_disposition, safe_file_name
from api.rules.cursors import CursorCodec
from api.rules.errors import (
    AssetNotReady,
    ConcurrentChange,
    CreatedResourceGone,
    NotFound,
    ServiceUnavailable,
)
from api.rules.principal import Principal

Clock = Callable[[], float]
Status = Literal["pending", "uploaded", "rejected"]
# An asset's file is served from `assets/{assetId}/{name}` (its s3Key); uploads land under
# `uploads/{assetId}/{name}`, which nothing serves, and confirmation copies them across.
KEY_PREFIX = "assets/"
UPLOAD_PREFIX = "uploads/"
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
    # The `sub` of the caller who created it; None only for assets stored before owners.
    owner_id: str | None = None

    def is_live(self, now_s: int) -> bool:
        """Expired assets are gone, whether or not DynamoDB's TTL sweep has removed them."""
        return self.expires_at > now_s

    @property
    def upload_key(self) -> str:
        """Where the presigned POST puts the file: the s3Key under `uploads/`."""
        return UPLOAD_PREFIX + self.s3_key.removeprefix(KEY_PREFIX)

    def declares(self, stored: StoredObject) -> bool:
        """Whether a stored object is the file this asset declares: its size and type."""
        return stored.size == self.size and stored.content_type == self.content_type


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
    """What S3 says of an object: its real size, content type and ETag."""

    size: int
    content_type: str
    etag: str


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
        self,
        owner_id: str,
        status: Status | None,
        limit: int,
        after: Mapping[str, Any] | None,
        now_s: int,
    ) -> tuple[list[Asset], dict[str, Any] | None]:
        """Up to `limit` live assets of `owner_id` (of `status`, if given), newest first,
        starting after the position `after`; and the position after the last one if more
        may follow.
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
        """The object's size, type and ETag, or None if there is no such object."""

    @abc.abstractmethod
    def copy(self, source: str, target: str, *, source_etag: str) -> bool:
        """Copy `source` to `target` only if `source` still has this ETag and `target` does
        not exist (S3's conditional CopyObject); False, copying nothing, if either fails."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Delete the object; deleting a missing object is not an error."""


def asset_id_of(key: str, prefix: str = KEY_PREFIX) -> str | None:
    """The asset id in a key `{prefix}{assetId}/{name}` (by default a served key; with
    UPLOAD_PREFIX an upload key), or None for any other key."""
    parts = key.split("/")
    if len(parts) != 3 or parts[0] + "/" != prefix:
        return None
    try:
        return str(uuid.UUID(parts[1])) if len(parts[1]) == 36 else None
    except ValueError:
        return None


NO_SUCH_ASSET = "There is no asset with this id."


class AssetService:
    """The rules for assets: presigned transfers, the upload lifecycle, expiry, paging; and
    who may do what: an asset belongs to the caller who created it, whom alone (and
    administrators) it exists for."""

    def __init__(
        self,
        repository: AssetRepository,
        storage: ObjectStorage,
        clock: Clock = time.time,
        upload_expires_seconds: int = 900,
        *,
        cursors: CursorCodec | None = None,
    ) -> None:
        """`cursors` signs the pages' cursors with the deployment's key; without it, with a
        random key of this service's own (a service built alone, in tests and tools)."""
        self._repository = repository
        self._storage = storage
        self._clock = clock
        self._upload_expires_seconds = upload_expires_seconds
        self._cursors = cursors or CursorCodec.with_random_key()

    def _now(self) -> tuple[int, int]:
        now = self._clock()
        return int(now), int(now * 1000)

    def create(
        self, caller: Principal, file_name: str, content_type: str, size: int
    ) -> tuple[Asset, PresignedPost]:
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
            owner_id=caller.subject,
        )
        # The metadata is stored before a URL exists, so every upload that can happen has
        # its asset (presigning is local computation).
        self._repository.add(asset)
        return asset, self._presign_upload(asset)

    def _presign_upload(self, asset: Asset) -> PresignedPost:
        now_s, _ = self._now()
        url, fields = self._storage.presign_upload(
            asset.upload_key, asset.content_type, asset.size, self._upload_expires_seconds
        )
        return PresignedPost(url, fields, now_s + self._upload_expires_seconds)

    def resume(self, caller: Principal, asset_id: str) -> tuple[Asset, PresignedPost | None]:
        """What a replay of the request that created the asset answers: the asset as it is
        now, with a freshly signed upload while it is pending and none once it is not (its
        file is settled); CreatedResourceGone once it is deleted or expired."""
        try:
            asset = self.get(caller, asset_id)
        except NotFound as exc:
            raise CreatedResourceGone(
                "The asset created with this Idempotency-Key has been deleted or has "
                "expired; send a new key to create another."
            ) from exc
        return asset, self._presign_upload(asset) if asset.status == "pending" else None

    def _visible(self, caller: Principal, asset_id: str, now_s: int) -> Asset:
        """The live asset `caller` may see; NotFound, as for no asset, otherwise."""
        asset = self._repository.get(asset_id, now_s)
        if not caller.may_see(asset.owner_id):
            raise NotFound(NO_SUCH_ASSET)
        return asset

    def get(self, caller: Principal, asset_id: str) -> Asset:
        now_s, _ = self._now()
        asset = self._visible(caller, asset_id, now_s)
        return self._confirm(asset) if asset.status == "pending" else asset

    def list(
        self, caller: Principal, status: Status | None, limit: int, cursor: str | None = None
    ) -> AssetPage:
        """The caller's own assets: an administrator's too (it reads others' by id)."""
        now_s, _ = self._now()
        # A cursor continues only the query, and the caller, it was issued to.
        query = {"status": status, "caller": caller.subject}
        after = None if cursor is None else self._cursors.decode(cursor, query)
        assets, position = self._repository.find(caller.subject, status, limit, after, now_s)
        next_cursor = None if position is None else self._cursors.encode(query, position)
        return AssetPage(items=assets, next_cursor=next_cursor)

    def download(self, caller: Principal, asset_id: str) -> PresignedGet:
        asset = self.get(caller, asset_id)
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

    def delete(self, caller: Principal, asset_id: str) -> None:
        for _ in range(_WRITE_ATTEMPTS):
            now_s, _ = self._now()
            asset = self._visible(caller, asset_id, now_s)
            try:
                self._repository.remove(asset)
            except ConcurrentChange:
                continue
            try:
                # The upload first: once it is gone, no confirmation still under way can copy
                # a file to the served key after that is deleted.
                self._storage.delete(asset.upload_key)
                self._storage.delete(asset.s3_key)
            except ServiceUnavailable:
                # Put the metadata back: the asset stays whole and the client may retry.
                # (Should that fail too, the objects are left unreferenced and invisible,
                # and the bucket's lifecycle rules expire them.)
                self._repository.add(asset)
                raise
            return
        raise ConcurrentChange("The asset is being changed by other requests; try again.")

    def object_created(self, key: str) -> Asset | None:
        """Handle S3's ObjectCreated for `key`, which may come late or twice. The file at a
        pending asset's upload key confirms or rejects it; any other object under an upload
        key (of an asset settled, deleted or expired, or another name) is deleted, so that
        no upload made after confirmation, rejection or deletion stays. Other keys are
        ignored: the bucket notifies uploads only."""
        asset_id = asset_id_of(key, UPLOAD_PREFIX)
        if asset_id is None:
            return None
        now_s, _ = self._now()
        try:
            asset = self._repository.get(asset_id, now_s)
        except NotFound:
            self._storage.delete(key)
            return None
        if asset.status == "pending" and key == asset.upload_key:
            try:
                return self._confirm(asset)
            except NotFound:
                return None
        if asset.status == "rejected":
            # A rejected asset keeps no file; a retried event finishes what a failure left.
            self._storage.delete(asset.s3_key)
        self._storage.delete(key)
        return asset

    def _confirm(self, asset: Asset) -> Asset:
        """Settle a pending asset whose file has arrived at its upload key. A file as
        declared is copied to the served key, only if it is still the file checked and the
        served key is free, so the served bytes are written once, by one confirmation; the
        asset becomes `uploaded`. Any other file makes it `rejected`. Either way the upload
        is then deleted. Unchanged while no file has arrived, or while other confirmations
        keep winning (the last state read is answered; the next read tries again). NotFound
        if the asset is deleted meanwhile, once what this confirmation copied is removed."""
        for _ in range(_WRITE_ATTEMPTS):
            staged = self._storage.head(asset.upload_key)
            if staged is None:
                return asset
            copied = False
            status: Status = "rejected"
            if asset.declares(staged):
                copied = self._storage.copy(asset.upload_key, asset.s3_key, source_etag=staged.etag)
                served = staged if copied else self._storage.head(asset.s3_key)
                if served is None:
                    continue  # the upload changed or went between the check and the copy
                # A file already at the served key was put there by another confirmation,
                # as checked, which has not recorded it yet (or died before it could).
                status = "uploaded" if asset.declares(served) else "rejected"
            try:
                settled = self._record(asset, status)
            except ConcurrentChange:
                current = self._current(asset, copied)
                if current.status == "pending":
                    asset = current
                    continue
                return current
            if status == "rejected":
                self._storage.delete(asset.s3_key)
            self._storage.delete(asset.upload_key)
            return settled
        return asset

    def _record(self, asset: Asset, status: Status) -> Asset:
        now_s, now_ms = self._now()
        new = replace(
            asset,
            status=status,
            updated_at=max(now_ms, asset.updated_at),
            version=asset.version + 1,
        )
        self._repository.replace(asset, new, now_s)
        return new

    def _current(self, asset: Asset, copied: bool) -> Asset:
        """The asset as another writer left it, after this confirmation lost the race to
        record `asset`; a file it `copied` is removed unless the asset is now `uploaded`
        (then the file is the one served: only one copy can have succeeded)."""
        try:
            current = self._repository.get(asset.asset_id, self._now()[0])
        except NotFound:
            if copied:
                self._storage.delete(asset.s3_key)
            self._storage.delete(asset.upload_key)
            raise
        if copied and current.status == "rejected":
            self._storage.delete(asset.s3_key)
        return current
