from __future__ import annotations

from dataclasses import replace

import pytest

from api.assets.service import (
    DOWNLOAD_URL_SECONDS,
    LIFETIME_SECONDS,
    AssetService,
)
from api.rules.errors import (
    AssetNotReady,
    ConcurrentChange,
    CreatedResourceGone,
    InvalidCursor,
    NotFound,
    ServiceUnavailable,
)
from dev.fakes import FakeClock, InMemoryAssetRepository, InMemoryObjectStorage
from tests.identity import ADMIN_CALLER


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def repository() -> InMemoryAssetRepository:
    return InMemoryAssetRepository()


@pytest.fixture
def storage() -> InMemoryObjectStorage:
    return InMemoryObjectStorage()


@pytest.fixture
def assets(repository, storage, clock) -> AssetService:
    return AssetService(repository, storage, clock, upload_expires_seconds=900)


def test_create_stores_a_pending_asset_under_a_safe_key_and_presigns_its_upload(
    assets, repository, clock
):
    asset, upload = assets.create(ADMIN_CALLER, "../x/Résumé.pdf", "application/pdf", 10)

    assert asset.status == "pending"
    assert asset.file_name == "../x/Résumé.pdf"
    assert asset.s3_key == f"assets/{asset.asset_id}/Resume.pdf"
    assert asset.upload_key == f"uploads/{asset.asset_id}/Resume.pdf"
    assert asset.expires_at == int(clock.now) + LIFETIME_SECONDS
    assert repository.assets == {asset.asset_id: asset}
    # The upload lands where nothing serves it; confirmation copies it to the served key.
    assert upload.fields == {"key": asset.upload_key, "Content-Type": "application/pdf"}
    assert upload.expires_at == int(clock.now) + 900


def test_get_of_a_pending_asset_whose_file_arrived_confirms_it_by_copying_it_to_the_served_key(
    assets, storage, clock
):
    asset, _ = assets.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    assert assets.get(ADMIN_CALLER, asset.asset_id).status == "pending"
    storage.put(asset.upload_key, b"hello", "text/plain")
    clock.advance(2)

    confirmed = assets.get(ADMIN_CALLER, asset.asset_id)

    assert confirmed.status == "uploaded"
    assert confirmed.version == 2
    assert confirmed.updated_at == asset.updated_at + 2000
    assert assets.get(ADMIN_CALLER, asset.asset_id) == confirmed
    assert storage.objects == {asset.s3_key: (b"hello", "text/plain")}


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(b"hello world", "text/plain"), (b"hell", "text/plain"), (b"hello", "image/png")],
)
def test_a_file_whose_size_or_type_differs_is_rejected_and_deleted(
    assets, storage, data, content_type
):
    asset, _ = assets.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    storage.put(asset.upload_key, data, content_type)

    assert assets.get(ADMIN_CALLER, asset.asset_id).status == "rejected"
    assert storage.objects == {}
    with pytest.raises(AssetNotReady, match="rejected"):
        assets.download(ADMIN_CALLER, asset.asset_id)


def test_download_of_a_pending_asset_is_refused(assets):
    asset, _ = assets.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    with pytest.raises(AssetNotReady, match="not been uploaded"):
        assets.download(ADMIN_CALLER, asset.asset_id)


def test_download_presigns_a_get_with_the_type_and_the_original_name(assets, storage, clock):
    asset, _ = assets.create(ADMIN_CALLER, "dir/naïve.txt", "text/plain", 2)
    storage.put(asset.upload_key, b"hi", "text/plain")

    download = assets.download(ADMIN_CALLER, asset.asset_id)

    assert download.url == (
        f"https://bucket.example/{asset.s3_key}?type=text/plain&disposition="
        "attachment; filename=\"naive.txt\"; filename*=UTF-8''na%C3%AFve.txt"
    )
    assert download.expires_at == int(clock.now) + DOWNLOAD_URL_SECONDS


def test_the_s3_event_confirms_and_duplicates_change_nothing(assets, storage, repository):
    asset, _ = assets.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    storage.put(asset.upload_key, b"hello", "text/plain")

    first = assets.object_created(asset.upload_key)
    second = assets.object_created(asset.upload_key)

    assert first is not None
    assert first.status == "uploaded"
    assert second == first
    assert repository.assets[asset.asset_id] == first
    assert storage.objects == {asset.s3_key: (b"hello", "text/plain")}


def test_an_s3_event_before_the_object_is_visible_leaves_the_asset_pending(assets):
    asset, _ = assets.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    assert assets.object_created(asset.upload_key) == asset


def test_an_s3_event_for_a_deleted_asset_deletes_the_orphan_object(assets, storage):
    asset, _ = assets.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    assets.delete(ADMIN_CALLER, asset.asset_id)
    storage.put(asset.upload_key, b"hello", "text/plain")  # the upload lands after the delete

    assert assets.object_created(asset.upload_key) is None
    assert storage.objects == {}


@pytest.mark.parametrize(
    "key",
    [
        "other/file.txt",
        "uploads/not-a-uuid/x",
        "uploads/a/b/c",
        "uploads/",
        "",
        # The served keys: only confirmations write them, and their events change nothing.
        "assets/00000000-0000-4000-8000-000000000000/x",
    ],
)
def test_an_s3_event_for_a_key_that_is_no_upload_key_is_ignored(assets, storage, key):
    storage.put(key, b"x", "text/plain")
    assert assets.object_created(key) is None
    assert key in storage.objects


def test_an_upload_after_a_rejection_keeps_it_rejected_and_is_deleted(assets, storage):
    asset, _ = assets.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    storage.put(asset.upload_key, b"too long", "text/plain")
    assert assets.get(ADMIN_CALLER, asset.asset_id).status == "rejected"
    storage.put(asset.upload_key, b"hello", "text/plain")  # the still-valid POST, used again

    result = assets.object_created(asset.upload_key)

    assert result is not None
    assert result.status == "rejected"
    assert assets.get(ADMIN_CALLER, asset.asset_id).status == "rejected"
    assert storage.objects == {}
    with pytest.raises(AssetNotReady):
        assets.download(ADMIN_CALLER, asset.asset_id)


def test_delete_removes_metadata_and_object(assets, storage, repository):
    asset, _ = assets.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    storage.put(asset.upload_key, b"hello", "text/plain")
    assets.get(ADMIN_CALLER, asset.asset_id)
    storage.put(asset.upload_key, b"later", "text/plain")  # an upload after confirmation

    assets.delete(ADMIN_CALLER, asset.asset_id)

    assert repository.assets == {}
    assert storage.objects == {}
    with pytest.raises(NotFound):
        assets.delete(ADMIN_CALLER, asset.asset_id)


def test_an_expired_asset_is_gone_for_reads(assets, clock):
    asset, _ = assets.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    clock.advance(LIFETIME_SECONDS)

    with pytest.raises(NotFound):
        assets.get(ADMIN_CALLER, asset.asset_id)
    assert assets.list(ADMIN_CALLER, None, 10).items == []


def test_list_pages_newest_first_and_filters_by_status(assets, storage, clock):
    created = []
    for i in range(5):
        asset, _ = assets.create(ADMIN_CALLER, f"{i}.txt", "text/plain", 1)
        created.append(asset)
        clock.advance(1)
    storage.put(created[0].upload_key, b"x", "text/plain")
    uploaded = assets.get(ADMIN_CALLER, created[0].asset_id)

    first = assets.list(ADMIN_CALLER, None, 3)
    second = assets.list(ADMIN_CALLER, None, 3, first.next_cursor)

    assert [a.asset_id for a in first.items + second.items] == [
        a.asset_id for a in reversed(created)
    ]
    assert second.next_cursor is None
    assert assets.list(ADMIN_CALLER, "uploaded", 10).items == [uploaded]
    assert len(assets.list(ADMIN_CALLER, "pending", 10).items) == 4
    with pytest.raises(InvalidCursor):
        assets.list(ADMIN_CALLER, "pending", 3, first.next_cursor)


# -- upload integrity: a confirmed file never changes, a deleted asset never comes back ----


class RacingStorage(InMemoryObjectStorage):
    """A bucket where, just before the first copy, `meanwhile` runs: what another client or
    confirmation does between a confirmation's check of the upload and its copy."""

    def __init__(self) -> None:
        super().__init__()
        self.meanwhile = lambda: None

    def copy(self, source: str, target: str, *, source_etag: str) -> bool:
        meanwhile, self.meanwhile = self.meanwhile, lambda: None
        meanwhile()
        return super().copy(source, target, source_etag=source_etag)


class RacingRepository(InMemoryAssetRepository):
    """A table where, just before the first replace, `meanwhile` runs: another writer."""

    def __init__(self) -> None:
        super().__init__()
        self.meanwhile = lambda: None

    def replace(self, current, new, now_s):
        meanwhile, self.meanwhile = self.meanwhile, lambda: None
        meanwhile()
        super().replace(current, new, now_s)


@pytest.fixture
def racing_storage() -> RacingStorage:
    return RacingStorage()


@pytest.fixture
def racing_repository() -> RacingRepository:
    return RacingRepository()


@pytest.fixture
def racing(racing_repository, racing_storage, clock) -> AssetService:
    return AssetService(racing_repository, racing_storage, clock, upload_expires_seconds=900)


def confirmed(assets, storage, data=b"hello"):
    asset, _ = assets.create(ADMIN_CALLER, "a.txt", "text/plain", len(data))
    storage.put(asset.upload_key, data, "text/plain")
    done = assets.get(ADMIN_CALLER, asset.asset_id)
    assert done.status == "uploaded"
    return done


def test_an_upload_after_confirmation_never_changes_the_served_bytes(assets, storage):
    asset = confirmed(assets, storage)
    storage.put(asset.upload_key, b"HELLO", "text/plain")  # same size and type, other bytes

    assert assets.get(ADMIN_CALLER, asset.asset_id) == asset
    assert assets.object_created(asset.upload_key) == asset

    assert storage.objects == {asset.s3_key: (b"hello", "text/plain")}


def test_an_upload_after_deletion_never_brings_the_asset_back(assets, storage):
    asset = confirmed(assets, storage)
    assets.delete(ADMIN_CALLER, asset.asset_id)
    storage.put(asset.upload_key, b"hello", "text/plain")  # the still-valid POST, used again

    with pytest.raises(NotFound):
        assets.get(ADMIN_CALLER, asset.asset_id)
    assert assets.object_created(asset.upload_key) is None
    assert storage.objects == {}


def test_delete_removes_the_upload_before_the_served_file(assets, storage):
    asset = confirmed(assets, storage)
    storage.deleted.clear()

    assets.delete(ADMIN_CALLER, asset.asset_id)

    # Once the upload is gone, no confirmation under way can copy it after the served
    # file's deletion.
    assert storage.deleted == [asset.upload_key, asset.s3_key]


def test_an_upload_under_another_name_of_the_asset_is_deleted_and_changes_nothing(assets, storage):
    asset, _ = assets.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    other = f"uploads/{asset.asset_id}/b.txt"
    storage.put(other, b"hello", "text/plain")

    assert assets.object_created(other) == asset
    assert storage.objects == {}
    assert assets.get(ADMIN_CALLER, asset.asset_id).status == "pending"


def test_a_file_replaced_between_the_check_and_the_copy_is_checked_again(racing, racing_storage):
    asset, _ = racing.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    racing_storage.put(asset.upload_key, b"hello", "text/plain")
    racing_storage.meanwhile = lambda: racing_storage.put(asset.upload_key, b"hi", "text/plain")

    settled = racing.get(ADMIN_CALLER, asset.asset_id)

    assert settled.status == "rejected"
    assert racing_storage.objects == {}


def test_a_file_replaced_by_another_as_declared_is_confirmed_as_copied(racing, racing_storage):
    asset, _ = racing.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    racing_storage.put(asset.upload_key, b"hello", "text/plain")
    racing_storage.meanwhile = lambda: racing_storage.put(asset.upload_key, b"HELLO", "text/plain")

    assert racing.get(ADMIN_CALLER, asset.asset_id).status == "uploaded"
    assert racing_storage.objects == {asset.s3_key: (b"HELLO", "text/plain")}


def test_a_file_another_confirmation_copied_is_confirmed_as_is_and_never_overwritten(
    assets, storage
):
    asset, _ = assets.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    storage.put(asset.upload_key, b"hello", "text/plain")
    # A confirmation copied it and died before recording it; then the POST was used again.
    storage.copy(asset.upload_key, asset.s3_key, source_etag=storage.head(asset.upload_key).etag)
    storage.put(asset.upload_key, b"HELLO", "text/plain")

    assert assets.get(ADMIN_CALLER, asset.asset_id).status == "uploaded"
    assert storage.objects == {asset.s3_key: (b"hello", "text/plain")}


def test_a_confirmation_that_loses_to_a_delete_leaves_no_file_behind(
    racing, racing_repository, racing_storage
):
    asset, _ = racing.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    racing_storage.put(asset.upload_key, b"hello", "text/plain")
    # The asset is deleted after the confirmation copied its file, before it recorded it.
    racing_repository.meanwhile = lambda: racing.delete(ADMIN_CALLER, asset.asset_id)

    with pytest.raises(NotFound):
        racing.get(ADMIN_CALLER, asset.asset_id)

    assert racing_storage.objects == {}
    assert racing_repository.assets == {}


def test_a_confirmation_under_way_when_the_asset_is_deleted_and_uploaded_again_leaves_no_file(
    racing, racing_repository, racing_storage
):
    asset, _ = racing.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    racing_storage.put(asset.upload_key, b"hello", "text/plain")

    def deleted_and_uploaded_again() -> None:
        # Between the confirmation's check and its copy: the asset is deleted, then its
        # still-valid POST puts the same bytes back under the upload key.
        racing.delete(ADMIN_CALLER, asset.asset_id)
        racing_storage.put(asset.upload_key, b"hello", "text/plain")

    racing_storage.meanwhile = deleted_and_uploaded_again

    with pytest.raises(NotFound):
        racing.get(ADMIN_CALLER, asset.asset_id)

    assert asset.s3_key not in racing_storage.objects
    assert racing_repository.assets == {}


def test_a_file_not_as_declared_is_never_copied_to_the_served_key(racing, racing_storage):
    asset, _ = racing.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    racing_storage.put(asset.upload_key, b"hello", "image/png")
    copies = []
    racing_storage.meanwhile = lambda: copies.append("copied")

    assert racing.get(ADMIN_CALLER, asset.asset_id).status == "rejected"
    assert copies == []


def test_a_confirmation_that_loses_to_a_rejection_removes_its_copy(
    racing, racing_repository, racing_storage, clock
):
    asset, _ = racing.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    racing_storage.put(asset.upload_key, b"hello", "text/plain")

    def rejected_by_another() -> None:
        racing_repository.assets[asset.asset_id] = replace(asset, status="rejected", version=2)

    racing_repository.meanwhile = rejected_by_another

    assert racing.get(ADMIN_CALLER, asset.asset_id).status == "rejected"
    assert asset.s3_key not in racing_storage.objects


def test_a_failed_record_leaves_the_asset_pending_and_the_next_read_completes_it(
    racing, racing_repository, racing_storage
):
    asset, _ = racing.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    racing_storage.put(asset.upload_key, b"hello", "text/plain")

    def unavailable() -> None:
        raise ServiceUnavailable()

    racing_repository.meanwhile = unavailable
    with pytest.raises(ServiceUnavailable):
        racing.get(ADMIN_CALLER, asset.asset_id)
    # Still pending, so not downloadable, though its file is at the served key already.
    assert racing_repository.assets[asset.asset_id] == asset
    assert asset.s3_key in racing_storage.objects

    assert racing.get(ADMIN_CALLER, asset.asset_id).status == "uploaded"
    assert racing_storage.objects == {asset.s3_key: (b"hello", "text/plain")}


def test_a_failed_copy_changes_nothing(racing, racing_repository, racing_storage):
    asset, _ = racing.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    racing_storage.put(asset.upload_key, b"hello", "text/plain")

    def unavailable() -> None:
        raise ServiceUnavailable()

    racing_storage.meanwhile = unavailable
    with pytest.raises(ServiceUnavailable):
        racing.get(ADMIN_CALLER, asset.asset_id)

    assert racing_repository.assets[asset.asset_id] == asset
    assert racing_storage.objects == {asset.upload_key: (b"hello", "text/plain")}


def test_other_writers_that_keep_winning_leave_the_asset_as_last_read(
    racing, racing_repository, racing_storage
):
    asset, _ = racing.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    racing_storage.put(asset.upload_key, b"hello", "text/plain")

    def changed(*_args) -> None:
        raise ConcurrentChange("changed")

    racing_repository.replace = changed  # every record loses; the asset stays as it is

    assert racing.get(ADMIN_CALLER, asset.asset_id) == asset


def test_a_replay_of_a_pending_asset_signs_a_fresh_upload_for_its_upload_key(assets, clock):
    asset, first = assets.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    clock.advance(600)

    again, upload = assets.resume(ADMIN_CALLER, asset.asset_id)

    assert again == asset
    assert upload is not None
    assert upload.fields["key"] == asset.upload_key
    assert upload.expires_at == first.expires_at + 600


def test_a_replay_of_a_settled_asset_signs_no_upload(assets, storage):
    asset = confirmed(assets, storage)
    rejected, _ = assets.create(ADMIN_CALLER, "b.txt", "text/plain", 5)
    storage.put(rejected.upload_key, b"too long", "text/plain")

    assert assets.resume(ADMIN_CALLER, asset.asset_id) == (asset, None)
    again, upload = assets.resume(ADMIN_CALLER, rejected.asset_id)
    assert (again.status, upload) == ("rejected", None)


def test_a_replay_of_a_deleted_or_expired_asset_is_refused(assets, clock):
    deleted, _ = assets.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    assets.delete(ADMIN_CALLER, deleted.asset_id)
    expired, _ = assets.create(ADMIN_CALLER, "b.txt", "text/plain", 5)
    clock.advance(LIFETIME_SECONDS)

    for asset in (deleted, expired):
        with pytest.raises(CreatedResourceGone, match="new key"):
            assets.resume(ADMIN_CALLER, asset.asset_id)
