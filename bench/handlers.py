"""The handlers under test, on the emulator or on zero-latency fakes."""

from __future__ import annotations

import importlib
import os
from typing import Any

from bench.workload import Handler, Upload

IMPLEMENTATIONS = ("app", "floor")
GROUPS = ("users", "assets")
BACKENDS = ("emulator", "fakes")
# The Lambda entry point of each function: module with a `handler`.
ENTRY_POINTS = {
    "users_handler": "api.users_handler",
    "assets_handler": "api.assets_handler",
    "floor": "bench.floor_handler",
}


def entry_point(implementation: str, group: str) -> str:
    return "floor" if implementation == "floor" else f"{group}_handler"


def emulator_upload() -> Upload:
    """Uploads with boto3 to the emulator's bucket, as the presigned POST would."""
    import boto3

    s3 = boto3.client(
        "s3",
        region_name=os.environ["AWS_REGION"],
        endpoint_url=os.environ["AWS_ENDPOINT_URL"],
    )

    def upload(key: str, size: int, content_type: str) -> None:
        s3.put_object(
            Bucket=os.environ["ASSETS_BUCKET"], Key=key, Body=b"x" * size, ContentType=content_type
        )

    return upload


def app_with_fakes() -> tuple[Handler, Upload]:
    """The application's Lambda path (lambda_handler → Mangum → app) on in-memory storage."""
    from api.app import create_app
    from api.assets import AssetService, StoredObject
    from api.lambda_entry import lambda_handler
    from api.settings import Settings
    from api.users import UserService
    from bench.fakes import InMemoryAssetRepository, InMemoryObjectStorage, InMemoryUserRepository

    settings = Settings.from_env()
    storage = InMemoryObjectStorage()
    users = UserService(InMemoryUserRepository())
    assets = AssetService(
        InMemoryAssetRepository(),
        storage,
        upload_expires_seconds=settings.upload_url_expires_seconds,
    )

    def upload(key: str, size: int, content_type: str) -> None:
        storage.objects[key] = StoredObject(size, content_type)

    return (
        lambda_handler(
            lambda: create_app(settings, users=users, assets=assets, lambda_runtime=True)
        ),
        upload,
    )


def floor_with_fakes() -> tuple[Handler, Upload]:
    """The floor on in-memory stand-ins for its boto3 clients."""
    from bench.fakes import FakeDynamoDBClient, FakeS3Client
    from bench.floor_handler import FloorHandler

    dynamodb, s3 = FakeDynamoDBClient(), FakeS3Client()

    def upload(key: str, size: int, content_type: str) -> None:
        s3.objects[key] = (size, content_type)

    handler = FloorHandler(
        lambda: dynamodb,
        lambda: s3,
        users_table="Users",
        assets_table="Assets",
        bucket="assets",
    )
    return handler, upload


def handler_for(implementation: str, group: str, backend: str) -> tuple[Handler, Upload]:
    """The Lambda handler serving `group`'s operations, and how to upload a file for it."""
    if backend == "fakes":
        return app_with_fakes() if implementation == "app" else floor_with_fakes()
    module: Any = importlib.import_module(ENTRY_POINTS[entry_point(implementation, group)])
    return module.handler, emulator_upload()
