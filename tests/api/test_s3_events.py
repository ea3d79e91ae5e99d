"""S3 ObjectCreated notifications delivered to the assets Lambda handler."""

from __future__ import annotations

from urllib.parse import quote_plus

import boto3
import pytest

from api.assets.bucket import S3ObjectStorage
from api.functions.builders import assets_function, dynamo_asset_service
from tests.events import FakeLambdaContext, fresh_import, make_http_event
from tests.identity import ADMIN_CALLER
from tests.transfers import upload


def make_s3_event(*keys: str, bucket: str = "assets", event_name: str = "ObjectCreated:Post"):
    """An S3 notification as Lambda receives it; keys are URL-encoded as S3 sends them."""
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "us-east-1",
                "eventTime": "2026-11-26T09:30:00.000Z",
                "eventName": event_name,
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {"key": quote_plus(key, safe="/"), "size": 5, "sequencer": "0A1"},
                },
            }
            for key in keys
        ]
    }


@pytest.fixture
def assets(settings):
    return dynamo_asset_service(settings)


@pytest.fixture
def handler(settings, assets):
    return assets_function(settings, assets=assets)


def put(settings, key, data, content_type):
    """An object as it lands in the bucket; past the presigned POST's policy when need be."""
    s3 = boto3.client("s3", region_name=settings.region, endpoint_url=settings.aws_endpoint_url)
    s3.put_object(Bucket=settings.bucket("assets"), Key=key, Body=data, ContentType=content_type)


def test_the_event_confirms_an_upload_and_a_duplicate_changes_nothing(handler, assets, settings):
    asset, ticket = assets.create(ADMIN_CALLER, "a b.txt", "text/plain", 5)
    upload({"url": ticket.url, "fields": ticket.fields}, b"hello")
    event = make_s3_event(asset.upload_key)

    assert handler(event, FakeLambdaContext()) == {"handled": 1}
    confirmed = assets.get(ADMIN_CALLER, asset.asset_id)
    handler(event, FakeLambdaContext())

    assert confirmed.status == "uploaded"
    assert assets.get(ADMIN_CALLER, asset.asset_id) == confirmed
    storage = S3ObjectStorage(settings)
    assert storage.head(asset.upload_key) is None
    served = storage.head(asset.s3_key)
    assert served is not None
    assert served.size == 5


def test_the_event_rejects_a_mismatched_upload_and_deletes_the_object(handler, assets, settings):
    asset, _ = assets.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    put(settings, asset.upload_key, b"not five bytes", "text/plain")

    handler(make_s3_event(asset.upload_key), FakeLambdaContext())

    assert assets.get(ADMIN_CALLER, asset.asset_id).status == "rejected"
    storage = S3ObjectStorage(settings)
    assert (storage.head(asset.upload_key), storage.head(asset.s3_key)) == (None, None)


def test_an_upload_after_confirmation_is_deleted_by_its_event_and_serves_nothing(
    handler, assets, settings
):
    asset, ticket = assets.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    upload({"url": ticket.url, "fields": ticket.fields}, b"hello")
    handler(make_s3_event(asset.upload_key), FakeLambdaContext())
    confirmed = assets.get(ADMIN_CALLER, asset.asset_id)
    served = S3ObjectStorage(settings).head(asset.s3_key)

    upload({"url": ticket.url, "fields": ticket.fields}, b"HELLO")  # the same POST, again
    handler(make_s3_event(asset.upload_key), FakeLambdaContext())

    assert assets.get(ADMIN_CALLER, asset.asset_id) == confirmed
    storage = S3ObjectStorage(settings)
    assert storage.head(asset.upload_key) is None
    assert storage.head(asset.s3_key) == served


def test_an_event_after_deletion_deletes_the_late_upload(handler, assets, settings):
    asset, ticket = assets.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    assets.delete(ADMIN_CALLER, asset.asset_id)
    upload({"url": ticket.url, "fields": ticket.fields}, b"hello")

    handler(make_s3_event(asset.upload_key), FakeLambdaContext())

    storage = S3ObjectStorage(settings)
    assert (storage.head(asset.upload_key), storage.head(asset.s3_key)) == (None, None)


def test_unknown_keys_and_other_events_are_tolerated(handler, assets):
    event = make_s3_event("unrelated/key.txt", "uploads/00000000-0000-4000-8000-000000000000/x")
    event["Records"].append(make_s3_event("x", event_name="ObjectRemoved:Delete")["Records"][0])

    assert handler(event, FakeLambdaContext()) == {"handled": 2}


def test_an_event_for_a_served_key_changes_nothing(handler, assets, settings):
    asset, ticket = assets.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    upload({"url": ticket.url, "fields": ticket.fields}, b"hello")
    confirmed = assets.get(ADMIN_CALLER, asset.asset_id)

    # The confirmation's own copy: were the bucket to notify it, nothing would change.
    handler(make_s3_event(asset.s3_key, event_name="ObjectCreated:Copy"), FakeLambdaContext())

    assert assets.get(ADMIN_CALLER, asset.asset_id) == confirmed
    assert S3ObjectStorage(settings).head(asset.s3_key) is not None


def test_an_event_arriving_before_the_object_is_readable_leaves_it_pending(handler, assets):
    asset, _ = assets.create(ADMIN_CALLER, "a.txt", "text/plain", 5)
    handler(make_s3_event(asset.upload_key), FakeLambdaContext())
    assert assets.get(ADMIN_CALLER, asset.asset_id).status == "pending"


def test_the_module_handler_answers_http_and_s3_events(settings, monkeypatch):
    for name, value in {
        "ASSETS_TABLE": settings.table("assets"),
        "ASSETS_BUCKET": settings.bucket("assets"),
        "IDEMPOTENCY_TABLE": settings.table("idempotency"),
        "RATE_LIMITS_TABLE": settings.table("rate_limits"),
        "AWS_ENDPOINT_URL": settings.aws_endpoint_url,
        "AWS_REGION": settings.region,
        "CURSOR_KEY": "tests only: a cursor key of 32 bytes or more",
    }.items():
        monkeypatch.setenv(name, value)
    module = fresh_import("api.functions.assets")
    created = module.handler(
        make_http_event(
            method="POST",
            path="/assets",
            body={"fileName": "a.txt", "contentType": "text/plain", "size": 1},
        ),
        FakeLambdaContext(),
    )
    assert created["statusCode"] == 201
    assert module.handler(make_s3_event("other/x"), None) == {"handled": 1}
