"""The benchmark's harness: the floor and the fakes serve every benchmarked operation."""

from __future__ import annotations

import boto3
import pytest

from api.settings import Settings
from bench.floor_handler import FloorHandler
from bench.handlers import app_with_fakes, floor_with_fakes
from bench.workload import (
    ASSET_OPERATIONS,
    USER_OPERATIONS,
    Client,
    Upload,
    body_of,
    run_assets,
    run_users,
)


def floor_on(settings: Settings) -> tuple[FloorHandler, Upload]:
    def client(service: str):
        return boto3.client(
            service, region_name=settings.region, endpoint_url=settings.aws_endpoint_url
        )

    dynamodb, s3 = client("dynamodb"), client("s3")

    def upload(key: str, size: int, content_type: str) -> None:
        s3.put_object(
            Bucket=settings.assets_bucket, Key=key, Body=b"x" * size, ContentType=content_type
        )

    handler = FloorHandler(
        lambda: dynamodb,
        lambda: s3,
        users_table=settings.users_table,
        assets_table=settings.assets_table,
        bucket=settings.assets_bucket,
    )
    return handler, upload


def test_the_floor_serves_every_benchmarked_operation_on_the_emulator(settings):
    handler, upload = floor_on(settings)

    users = run_users(handler, 2, 1)
    assets = run_assets(handler, upload, 2, 1)

    assert {op: len(d) for op, d in users.durations.items()} == dict.fromkeys(USER_OPERATIONS, 2)
    assert {op: len(d) for op, d in assets.durations.items()} == dict.fromkeys(ASSET_OPERATIONS, 2)
    assert not any(users.errors.values())
    assert not any(assets.errors.values())


@pytest.mark.parametrize("stack", [app_with_fakes, floor_with_fakes])
def test_each_stack_on_fakes_serves_every_benchmarked_operation(stack):
    handler, upload = stack()

    users = run_users(handler, 2, 1)
    assets = run_assets(handler, upload, 2, 1)

    assert not any(users.errors.values())
    assert not any(assets.errors.values())


def test_the_floor_answers_with_the_apps_user_and_asset_fields():
    (app, _), (floor, _) = app_with_fakes(), floor_with_fakes()
    user = {"email": "ada@example.com", "name": "Ada"}
    file = {"fileName": "a.txt", "contentType": "text/plain", "size": 3}

    def created(handler, path, body):
        return body_of(Client(handler).send("POST", path, body=body)[1])

    assert created(app, "/users", user).keys() == created(floor, "/users", user).keys()
    assert created(app, "/assets", file).keys() == created(floor, "/assets", file).keys()
