from __future__ import annotations

import pytest

from api.assets.service import DOWNLOAD_URL_SECONDS, LIFETIME_SECONDS, AssetService
from api.rules.errors import AssetNotReady, InvalidCursor, NotFound
from dev.fakes import FakeClock, InMemoryAssetRepository, InMemoryObjectStorage


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
    asset, upload = assets.create("../x/Résumé.pdf", "application/pdf", 10)

    assert asset.status == "pending"
    assert asset.file_name == "../x/Résumé.pdf"
    assert asset.s3_key == f"assets/{asset.asset_id}/Resume.pdf"
    assert asset.expires_at == int(clock.now) + LIFETIME_SECONDS
    assert repository.assets == {asset.asset_id: asset}
    assert upload.fields == {"key": asset.s3_key, "Content-Type": "application/pdf"}
    assert upload.expires_at == int(clock.now) + 900


def test_get_of_a_pending_asset_whose_file_arrived_confirms_it(assets, storage, clock):
    asset, _ = assets.create("a.txt", "text/plain", 5)
    assert assets.get(asset.asset_id).status == "pending"
    storage.put(asset.s3_key, b"hello", "text/plain")
    clock.advance(2)

    confirmed = assets.get(asset.asset_id)

    assert confirmed.status == "uploaded"
    assert confirmed.version == 2
    assert confirmed.updated_at == asset.updated_at + 2000
    assert assets.get(asset.asset_id) == confirmed


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(b"hello world", "text/plain"), (b"hell", "text/plain"), (b"hello", "image/png")],
)
def test_a_file_whose_size_or_type_differs_is_rejected_and_deleted(
    assets, storage, data, content_type
):
    asset, _ = assets.create("a.txt", "text/plain", 5)
    storage.put(asset.s3_key, data, content_type)

    assert assets.get(asset.asset_id).status == "rejected"
    assert asset.s3_key not in storage.objects
    with pytest.raises(AssetNotReady, match="rejected"):
        assets.download(asset.asset_id)


def test_download_of_a_pending_asset_is_refused(assets):
    asset, _ = assets.create("a.txt", "text/plain", 5)
    with pytest.raises(AssetNotReady, match="not been uploaded"):
        assets.download(asset.asset_id)


def test_download_presigns_a_get_with_the_type_and_the_original_name(assets, storage, clock):
    asset, _ = assets.create("dir/naïve.txt", "text/plain", 2)
    storage.put(asset.s3_key, b"hi", "text/plain")

    download = assets.download(asset.asset_id)

    assert download.url == (
        f"https://bucket.example/{asset.s3_key}?type=text/plain&disposition="
        "attachment; filename=\"naive.txt\"; filename*=UTF-8''na%C3%AFve.txt"
    )
    assert download.expires_at == int(clock.now) + DOWNLOAD_URL_SECONDS


def test_the_s3_event_confirms_and_duplicates_change_nothing(assets, storage, repository):
    asset, _ = assets.create("a.txt", "text/plain", 5)
    storage.put(asset.s3_key, b"hello", "text/plain")

    first = assets.object_created(asset.s3_key)
    second = assets.object_created(asset.s3_key)

    assert first is not None
    assert first.status == "uploaded"
    assert second == first
    assert repository.assets[asset.asset_id] == first


def test_an_s3_event_before_the_object_is_visible_leaves_the_asset_pending(assets):
    asset, _ = assets.create("a.txt", "text/plain", 5)
    assert assets.object_created(asset.s3_key) == asset


def test_an_s3_event_for_a_deleted_asset_deletes_the_orphan_object(assets, storage):
    asset, _ = assets.create("a.txt", "text/plain", 5)
    assets.delete(asset.asset_id)
    storage.put(asset.s3_key, b"hello", "text/plain")  # the upload lands after the delete

    assert assets.object_created(asset.s3_key) is None
    assert storage.objects == {}


@pytest.mark.parametrize(
    "key", ["other/file.txt", "assets/not-a-uuid/x", "assets/a/b/c", "assets/", ""]
)
def test_an_s3_event_for_a_foreign_key_is_ignored(assets, storage, key):
    storage.put(key, b"x", "text/plain")
    assert assets.object_created(key) is None
    assert key in storage.objects


def test_an_s3_event_after_a_rejection_keeps_it_rejected(assets, storage):
    asset, _ = assets.create("a.txt", "text/plain", 5)
    storage.put(asset.s3_key, b"too long", "text/plain")
    assert assets.get(asset.asset_id).status == "rejected"
    storage.put(asset.s3_key, b"hello", "text/plain")  # a late retry of the upload

    result = assets.object_created(asset.s3_key)

    assert result is not None
    assert result.status == "rejected"


def test_delete_removes_metadata_and_object(assets, storage, repository):
    asset, _ = assets.create("a.txt", "text/plain", 5)
    storage.put(asset.s3_key, b"hello", "text/plain")

    assets.delete(asset.asset_id)

    assert repository.assets == {}
    assert storage.objects == {}
    with pytest.raises(NotFound):
        assets.delete(asset.asset_id)


def test_an_expired_asset_is_gone_for_reads(assets, clock):
    asset, _ = assets.create("a.txt", "text/plain", 5)
    clock.advance(LIFETIME_SECONDS)

    with pytest.raises(NotFound):
        assets.get(asset.asset_id)
    assert assets.list(None, 10).items == []


def test_list_pages_newest_first_and_filters_by_status(assets, storage, clock):
    created = []
    for i in range(5):
        asset, _ = assets.create(f"{i}.txt", "text/plain", 1)
        created.append(asset)
        clock.advance(1)
    storage.put(created[0].s3_key, b"x", "text/plain")
    uploaded = assets.get(created[0].asset_id)

    first = assets.list(None, 3)
    second = assets.list(None, 3, first.next_cursor)

    assert [a.asset_id for a in first.items + second.items] == [
        a.asset_id for a in reversed(created)
    ]
    assert second.next_cursor is None
    assert assets.list("uploaded", 10).items == [uploaded]
    assert len(assets.list("pending", 10).items) == 4
    with pytest.raises(InvalidCursor):
        assets.list("pending", 3, first.next_cursor)
