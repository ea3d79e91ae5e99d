"""The assets table and bucket against the emulator."""

from __future__ import annotations

import hashlib

import boto3
import pytest

from api.assets.bucket import S3ObjectStorage
from api.assets.file_names import content_disposition
from api.assets.service import Asset
from api.assets.storage import DynamoAssetRepository, bind_asset_table
from api.rules.errors import ConcurrentChange, InvalidCursor, NotFound
from api.settings import Settings
from tests.transfers import download, upload

NOW = 1_790_000_000
# The owner of the assets make_asset makes, unless told otherwise.
OWNER = "7c1e4b2a-5d3f-4a6b-8c9d-0e1f2a3b4c5d"


def make_asset(n: int, **changes) -> Asset:
    asset_id = f"00000000-0000-4000-8000-{n:012d}"
    fields = {
        "asset_id": asset_id,
        "file_name": f"file {n}.txt",
        "content_type": "text/plain",
        "size": 5,
        "status": "pending",
        "s3_key": f"assets/{asset_id}/file_{n}.txt",
        "created_at": NOW * 1000 + n,
        "updated_at": NOW * 1000 + n,
        "expires_at": NOW + 1000,
        "version": 1,
        "owner_id": OWNER,
    }
    return Asset(**{**fields, **changes})


@pytest.fixture
def repository(settings: Settings) -> DynamoAssetRepository:
    return DynamoAssetRepository(bind_asset_table(settings))


@pytest.fixture
def storage(settings: Settings) -> S3ObjectStorage:
    return S3ObjectStorage(settings)


@pytest.fixture
def s3(settings: Settings):
    return boto3.client("s3", region_name=settings.region, endpoint_url=settings.aws_endpoint_url)


def test_an_added_asset_reads_back_equal(repository):
    asset = make_asset(1, file_name="../日本語 name.txt")
    repository.add(asset)
    assert repository.get(asset.asset_id, NOW) == asset


def test_an_expired_or_missing_asset_is_not_found(repository):
    repository.add(make_asset(1))
    with pytest.raises(NotFound):
        repository.get(make_asset(1).asset_id, NOW + 1000)
    with pytest.raises(NotFound):
        repository.get(make_asset(2).asset_id, NOW)


def test_replace_and_remove_are_conditional_on_the_version(repository):
    asset = make_asset(1)
    repository.add(asset)
    uploaded = make_asset(1, status="uploaded", version=2)
    repository.replace(asset, uploaded, NOW)

    with pytest.raises(ConcurrentChange):
        repository.replace(asset, make_asset(1, status="rejected", version=2), NOW)
    with pytest.raises(ConcurrentChange):
        repository.remove(asset)
    assert repository.get(asset.asset_id, NOW) == uploaded
    repository.remove(uploaded)
    with pytest.raises(NotFound):
        repository.get(asset.asset_id, NOW)


def test_removing_an_asset_that_is_already_gone_is_quiet(repository):
    asset = make_asset(1)
    repository.add(asset)
    repository.remove(asset)

    repository.remove(asset)  # a retried DeleteItem, or another client's delete first

    with pytest.raises(NotFound):
        repository.get(asset.asset_id, NOW)


def test_find_pages_newest_first_overall_and_by_status(repository):
    assets = [make_asset(n) for n in range(1, 6)]
    for asset in assets:
        repository.add(asset)
    repository.replace(assets[1], make_asset(2, status="uploaded", version=2), NOW)
    repository.add(make_asset(9, expires_at=NOW))  # expired

    seen, after = [], None
    while True:
        page, after = repository.find(OWNER, None, 2, after, NOW)
        seen += [a.asset_id for a in page]
        if after is None:
            break
    assert seen == [a.asset_id for a in reversed(assets)]
    pending, _ = repository.find(OWNER, "pending", 10, None, NOW)
    assert [a.asset_id for a in pending] == [assets[i].asset_id for i in (4, 3, 2, 0)]
    uploaded, _ = repository.find(OWNER, "uploaded", 10, None, NOW)
    assert [a.status for a in uploaded] == ["uploaded"]


def test_find_refuses_a_position_it_did_not_produce(repository):
    with pytest.raises(InvalidCursor):
        repository.find(OWNER, None, 10, {"assetId": "x", "createdAt": 1}, NOW)


def test_a_presigned_post_uploads_real_bytes_that_head_then_describes(storage):
    url, fields = storage.presign_upload("uploads/k/a.bin", "application/octet-stream", 4, 60)

    assert fields["key"] == "uploads/k/a.bin"
    assert upload({"url": url, "fields": fields}, b"\x00\x01\x02\xff") in (200, 201, 204)
    stored = storage.head("uploads/k/a.bin")
    assert stored is not None
    assert (stored.size, stored.content_type) == (4, "application/octet-stream")
    assert stored.etag == '"' + hashlib.md5(b"\x00\x01\x02\xff").hexdigest() + '"'


def test_the_presigned_post_policy_pins_key_type_and_exact_size(storage):
    import base64
    import json

    _, fields = storage.presign_upload("assets/k/a.txt", "text/plain", 42, 60)
    policy = json.loads(base64.b64decode(fields["policy"]))

    assert {"Content-Type": "text/plain"} in policy["conditions"]
    assert ["content-length-range", 42, 42] in policy["conditions"]
    assert {"key": "assets/k/a.txt"} in policy["conditions"]


def test_a_presigned_get_serves_the_bytes_with_type_and_disposition(storage, s3, settings):
    s3.put_object(Bucket=settings.bucket("assets"), Key="assets/k/r.txt", Body=b"bytes")
    disposition = content_disposition("résumé.txt")

    response = download(storage.presign_download("assets/k/r.txt", "text/plain", disposition, 60))

    assert response.status_code == 200
    assert response.content == b"bytes"
    assert response.headers["content-type"] == "text/plain"
    assert response.headers["content-disposition"] == disposition


def test_head_of_a_missing_object_is_none_and_delete_of_one_is_quiet(storage):
    assert storage.head("assets/none/x") is None
    storage.delete("assets/none/x")


def put(s3, settings, key, body, content_type="text/plain"):
    s3.put_object(Bucket=settings.bucket("assets"), Key=key, Body=body, ContentType=content_type)


def test_a_conditional_copy_copies_the_checked_upload_with_its_type(storage, s3, settings):
    put(s3, settings, "uploads/k/a.txt", b"hello")
    checked = storage.head("uploads/k/a.txt")

    assert storage.copy("uploads/k/a.txt", "assets/k/a.txt", source_etag=checked.etag)

    assert storage.head("assets/k/a.txt") == checked
    served = s3.get_object(Bucket=settings.bucket("assets"), Key="assets/k/a.txt")
    assert served["Body"].read() == b"hello"


def test_a_copy_never_overwrites_an_object(storage, s3, settings):
    put(s3, settings, "assets/k/a.txt", b"first")
    put(s3, settings, "uploads/k/a.txt", b"other")

    etag = storage.head("uploads/k/a.txt").etag
    assert not storage.copy("uploads/k/a.txt", "assets/k/a.txt", source_etag=etag)

    served = s3.get_object(Bucket=settings.bucket("assets"), Key="assets/k/a.txt")
    assert served["Body"].read() == b"first"


def test_a_copy_of_an_upload_changed_since_its_check_copies_nothing(storage, s3, settings):
    put(s3, settings, "uploads/k/a.txt", b"hello")
    checked = storage.head("uploads/k/a.txt")
    put(s3, settings, "uploads/k/a.txt", b"HELLO")  # same size and type, other bytes

    assert not storage.copy("uploads/k/a.txt", "assets/k/a.txt", source_etag=checked.etag)
    assert storage.head("assets/k/a.txt") is None


def test_a_copy_of_a_missing_upload_copies_nothing(storage):
    assert not storage.copy("uploads/k/none.txt", "assets/k/a.txt", source_etag='"0"')
    assert storage.head("assets/k/a.txt") is None
