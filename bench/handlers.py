"""The Lambda functions under test and the floor, on the emulator or on zero-latency fakes.

The functions are built only as they are deployed: by their entry modules (on the emulator)
or by their builders in api/functions/builders.py (on fakes).
"""

from __future__ import annotations

import importlib
import os

from api.resources import FUNCTIONS
from bench.floor_handler import FloorHandler, rate_limits_table
from bench.workload import Handler, Upload

IMPLEMENTATIONS = ("app", "floor")
# The floors: boto3 doing the bare work, and botocore doing the application's work too.
FLOORS = ("floor", "fair")
# The functions of api/resources.py that the workload exercises, each against the floor.
GROUPS = ("users", "assets")
BACKENDS = ("emulator", "fakes")
# The Lambda entry point of each function, as template.yaml's Handler names it
# (module.attribute), and the floor's.
ENTRY_POINTS = {
    **{group: FUNCTIONS[group].handler for group in GROUPS},
    "floor": "bench.floor_handler.handler",
    "fair users": "bench.fair_floor_users.handler",
    "fair assets": "bench.fair_floor_assets.handler",
}


def function_name(group: str) -> str:
    """The name of `group`'s function in the results: its logical id in template.yaml."""
    return FUNCTIONS[group].logical_id


def entry_point(implementation: str, group: str) -> str:
    """The key in ENTRY_POINTS of `implementation` serving `group`'s operations: the fair
    floor builds the clients of the function it stands for during init, as it does."""
    if implementation == "fair":
        return f"fair {group}"
    return implementation if implementation in FLOORS else group


def load_handler(entry: str) -> Handler:
    """The handler that an entry point (module.attribute) names, importing its module."""
    module, _, attribute = entry.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module), attribute)
    return handler


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


def _no_files(key: str, size: int, content_type: str) -> None:
    raise RuntimeError("the users function stores no files")


def app_with_fakes(group: str) -> tuple[Handler, Upload]:
    """`group`'s function as its builder makes it (lambda_handler → Mangum → app), on the
    in-memory storage of dev/fakes.py."""
    from api.assets.service import AssetService
    from api.functions.builders import assets_function, users_function
    from api.settings import Settings
    from api.users.service import UserService
    from dev.fakes import (
        InMemoryAssetRepository,
        InMemoryHitCounter,
        InMemoryObjectStorage,
        InMemoryUserRepository,
    )

    settings = Settings.from_env()
    counter = InMemoryHitCounter()
    if group == "users":
        users = UserService(InMemoryUserRepository())
        return users_function(settings, users=users, hit_counter=counter), _no_files
    storage = InMemoryObjectStorage()
    assets = AssetService(
        InMemoryAssetRepository(),
        storage,
        upload_expires_seconds=settings.upload_url_expires_seconds,
    )

    def upload(key: str, size: int, content_type: str) -> None:
        storage.put(key, b"x" * size, content_type)

    return assets_function(settings, assets=assets, hit_counter=counter), upload


def floor_with_fakes() -> tuple[Handler, Upload]:
    """The floor on in-memory stand-ins for its boto3 clients."""
    from bench.fakes import FakeDynamoDBClient, FakeS3Client

    dynamodb, s3 = FakeDynamoDBClient(), FakeS3Client()

    def upload(key: str, size: int, content_type: str) -> None:
        s3.objects[key] = (size, content_type)

    handler = FloorHandler(
        lambda: dynamodb,
        lambda: s3,
        users_table="Users",
        assets_table="Assets",
        bucket="assets",
        rate_limits_table=rate_limits_table(),
    )
    return handler, upload


def fair_floor_with_fakes() -> tuple[Handler, Upload]:
    """The fair floor on the same in-memory stand-ins."""
    from bench.fair_floor import FairFloor

    floor, upload = floor_with_fakes()
    assert isinstance(floor, FloorHandler)
    return FairFloor(floor), upload


def handler_for(implementation: str, group: str, backend: str) -> tuple[Handler, Upload]:
    """The Lambda handler serving `group`'s operations, and how to upload a file for it."""
    if backend == "fakes":
        if implementation == "app":
            return app_with_fakes(group)
        return floor_with_fakes() if implementation == "floor" else fair_floor_with_fakes()
    return load_handler(ENTRY_POINTS[entry_point(implementation, group)]), emulator_upload()
