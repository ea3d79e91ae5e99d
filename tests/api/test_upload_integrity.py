"""A confirmed asset's bytes never change and a deleted asset never comes back, whatever a
client does with any URL it was ever given: over HTTP, with real uploads to the emulator,
which checks presigned POSTs as S3 does."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.api.problems import assert_problem
from tests.transfers import download, post, upload

FILE = b"%PDF-1.7 the first file %%EOF"
SWAP = b"%PDF-1.7 a swapped file %%EOF"  # same size, same type, other bytes
ASSET = {"fileName": "report.pdf", "contentType": "application/pdf", "size": len(FILE)}


@pytest.fixture
def s3(settings):
    return boto3.client("s3", region_name=settings.region, endpoint_url=settings.aws_endpoint_url)


def keys(s3, settings) -> list[str]:
    listed = s3.list_objects_v2(Bucket=settings.bucket("assets"))
    return [item["Key"] for item in listed.get("Contents", [])]


def create(client, key: str | None = None):
    headers = {} if key is None else {"Idempotency-Key": key}
    response = client.post("/assets", json=ASSET, headers=headers)
    assert response.status_code == 201
    return response


def confirmed(client, key: str | None = None) -> tuple[dict[str, Any], str]:
    """A created asset, its file uploaded and confirmed; and a download URL for it."""
    created = create(client, key).json()
    assert upload(created["upload"], FILE) == 204
    assert client.get(f"/assets/{created['assetId']}").json()["status"] == "uploaded"
    link = client.get(f"/assets/{created['assetId']}/download").json()["url"]
    assert download(link).content == FILE
    return created, link


def test_the_first_upload_url_used_again_after_confirmation_changes_nothing(client, s3, settings):
    created, link = confirmed(client)
    before = client.get(f"/assets/{created['assetId']}").json()

    # The bucket takes the upload (the POST is still valid) but nothing serves it.
    assert upload(created["upload"], SWAP) == 204

    assert client.get(f"/assets/{created['assetId']}").json() == before
    assert download(link).content == FILE
    fresh = client.get(f"/assets/{created['assetId']}/download").json()["url"]
    assert download(fresh).content == FILE
    # Locally no S3 event deletes the late upload; on AWS its event does.
    assert keys(s3, settings) == [
        f"assets/{created['assetId']}/report.pdf",
        created["upload"]["fields"]["key"],
    ]


def test_an_upload_url_cannot_write_the_served_key(client):
    created, link = confirmed(client)
    served = f"assets/{created['assetId']}/report.pdf"

    response = post(created["upload"], SWAP, fields={"key": served})

    assert response.status_code == 403
    assert download(link).content == FILE


def test_a_replay_after_confirmation_answers_the_asset_as_it_is_and_signs_no_upload(client):
    created, link = confirmed(client, key="replay-after-confirmation")

    again = create(client, key="replay-after-confirmation")

    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == f"/assets/{created['assetId']}"
    body = again.json()
    assert "upload" not in body
    assert body == client.get(f"/assets/{created['assetId']}").json()
    assert body["status"] == "uploaded"
    assert download(link).content == FILE


def test_a_replay_while_pending_signs_an_upload_that_is_discarded_once_confirmed(client):
    created = create(client, key="replay-while-pending").json()
    again = create(client, key="replay-while-pending").json()
    assert again["upload"]["fields"]["key"] == created["upload"]["fields"]["key"]
    assert upload(created["upload"], FILE) == 204
    assert client.get(f"/assets/{created['assetId']}").json()["status"] == "uploaded"

    assert upload(again["upload"], SWAP) == 204

    link = client.get(f"/assets/{created['assetId']}/download").json()["url"]
    assert download(link).content == FILE


def test_a_replay_after_deletion_is_409_and_creates_nothing(client, s3, settings):
    created, _ = confirmed(client, key="replay-after-deletion")
    assert client.delete(f"/assets/{created['assetId']}").status_code == 204

    again = client.post("/assets", json=ASSET, headers={"Idempotency-Key": "replay-after-deletion"})

    assert_problem(again, 409, "new key")
    assert "location" not in again.headers
    assert client.get("/assets").json()["items"] == []
    assert keys(s3, settings) == []


def test_the_upload_url_used_after_deletion_never_brings_the_asset_back(client, s3, settings):
    created, link = confirmed(client)
    assert client.delete(f"/assets/{created['assetId']}").status_code == 204

    assert upload(created["upload"], SWAP) == 204  # lands under uploads/, served by nothing

    assert_problem(client.get(f"/assets/{created['assetId']}"), 404)
    assert_problem(client.get(f"/assets/{created['assetId']}/download"), 404)
    assert download(link).status_code in (403, 404)
    assert keys(s3, settings) == [created["upload"]["fields"]["key"]]


def test_a_rejected_assets_upload_url_cannot_put_a_file_back(client, s3, settings):
    created = create(client).json()
    key = created["upload"]["fields"]["key"]
    # A file not as declared (past the policy, as only a faulty S3 would let through).
    s3.put_object(Bucket=settings.bucket("assets"), Key=key, Body=FILE, ContentType="text/html")
    assert client.get(f"/assets/{created['assetId']}").json()["status"] == "rejected"

    assert upload(created["upload"], FILE) == 204  # now as declared, with the valid POST

    assert client.get(f"/assets/{created['assetId']}").json()["status"] == "rejected"
    assert_problem(client.get(f"/assets/{created['assetId']}/download"), 409, "rejected")
    assert f"assets/{created['assetId']}/report.pdf" not in keys(s3, settings)
    replayed = client.post("/assets", json=ASSET)  # no key: another asset, not a replay
    assert replayed.json()["assetId"] != created["assetId"]
