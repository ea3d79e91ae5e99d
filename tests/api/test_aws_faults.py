"""AWS throttling and failures, injected at the botocore boundary for every operation:
retried within bounds, then 503 with Retry-After, and never a half-written change."""

from __future__ import annotations

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError

from api.aws.clients import MAX_ATTEMPTS, aws_client, botocore_config
from api.aws.dynamo import model_connection
from api.users.storage import bind_user_table
from tests.api.problems import assert_problem
from tests.faults import (
    CONNECTION_LOST,
    DYNAMODB_DOWN,
    OVER_CAPACITY,
    RESPONSE_LOST,
    S3_DOWN,
    S3_SLOW_DOWN,
    THROTTLED,
    TRANSACTION_THROTTLED,
    FaultInjector,
)
from tests.transfers import upload

DYNAMODB_FAULTS = [THROTTLED, OVER_CAPACITY, DYNAMODB_DOWN, CONNECTION_LOST]


def stored_state(settings):
    """Every item of both tables and every object of the bucket."""
    dynamodb = boto3.resource(
        "dynamodb", region_name=settings.region, endpoint_url=settings.aws_endpoint_url
    )
    s3 = boto3.client("s3", region_name=settings.region, endpoint_url=settings.aws_endpoint_url)
    items = {
        table: sorted(dynamodb.Table(table).scan()["Items"], key=repr)
        for table in (settings.table("users"), settings.table("assets"))
    }
    listing = s3.list_objects_v2(Bucket=settings.bucket("assets")).get("Contents", [])
    objects = {
        o["Key"]: s3.get_object(Bucket=settings.bucket("assets"), Key=o["Key"])["Body"].read()
        for o in listing
    }
    return items, objects


@pytest.fixture
def world(client):
    """A user, an uploaded asset and a pending asset, made before any fault."""
    user = client.post("/users", json={"email": "ada@example.com", "name": "Ada"}).json()
    uploaded = client.post(
        "/assets", json={"fileName": "a.txt", "contentType": "text/plain", "size": 5}
    ).json()
    upload(uploaded["upload"], b"hello")
    client.get(f"/assets/{uploaded['assetId']}")
    pending = client.post(
        "/assets", json={"fileName": "b.txt", "contentType": "text/plain", "size": 5}
    ).json()
    return {"user": user["userId"], "uploaded": uploaded["assetId"], "pending": pending["assetId"]}


REQUESTS = {
    "createUser": lambda c, w: c.post("/users", json={"email": "new@example.com", "name": "N"}),
    "listUsers": lambda c, w: c.get("/users"),
    "getUser": lambda c, w: c.get(f"/users/{w['user']}"),
    "updateUser": lambda c, w: c.patch(f"/users/{w['user']}", json={"email": "b@example.com"}),
    "deleteUser": lambda c, w: c.delete(f"/users/{w['user']}"),
    "createAsset": lambda c, w: c.post(
        "/assets", json={"fileName": "c.txt", "contentType": "text/plain", "size": 1}
    ),
    "listAssets": lambda c, w: c.get("/assets"),
    "getAsset": lambda c, w: c.get(f"/assets/{w['pending']}"),
    "downloadAsset": lambda c, w: c.get(f"/assets/{w['uploaded']}/download"),
    "deleteAsset": lambda c, w: c.delete(f"/assets/{w['uploaded']}"),
}


@pytest.mark.parametrize("operation", REQUESTS)
@pytest.mark.parametrize("fault", DYNAMODB_FAULTS, ids=lambda f: f.code)
def test_a_dynamodb_fault_that_outlasts_the_retries_is_a_503_and_changes_nothing(
    client, settings, world, operation, fault
):
    before = stored_state(settings)
    injector = FaultInjector()
    injector.fail("*", fault)
    with injector.active():
        response = REQUESTS[operation](client, world)

    assert_problem(response, 503, "Retry shortly")
    assert response.headers["retry-after"] == "1"
    assert stored_state(settings) == before
    assert max(injector.attempts.values()) == 3  # each call tried three times, no more


@pytest.mark.parametrize("operation", ["createUser", "updateUser", "deleteUser"])
def test_a_transaction_cancelled_by_throttling_is_a_503_and_changes_nothing(
    client, settings, world, operation
):
    before = stored_state(settings)
    injector = FaultInjector()
    injector.fail("TransactWriteItems", TRANSACTION_THROTTLED)
    with injector.active():
        response = REQUESTS[operation](client, world)

    assert_problem(response, 503)
    assert stored_state(settings) == before
    assert injector.attempts["TransactWriteItems"] == 1  # botocore does not retry a cancellation


@pytest.mark.parametrize("operation", ["getAsset", "deleteAsset"])
@pytest.mark.parametrize("fault", [S3_SLOW_DOWN, S3_DOWN, CONNECTION_LOST], ids=lambda f: f.code)
def test_an_s3_fault_is_a_503_and_leaves_metadata_and_object_whole(
    client, settings, world, operation, fault
):
    before = stored_state(settings)
    injector = FaultInjector()
    for s3_operation in ("HeadObject", "DeleteObject", "GetObject", "PutObject"):
        injector.fail(s3_operation, fault)
    with injector.active():
        response = REQUESTS[operation](client, world)

    assert_problem(response, 503)
    assert stored_state(settings) == before
    assert sorted(injector.attempts.values()) == [3]  # the one S3 call, tried three times


@pytest.mark.parametrize("operation", REQUESTS)
def test_a_fault_that_clears_within_the_retries_goes_unnoticed(client, world, operation):
    injector = FaultInjector()
    injector.fail("*", THROTTLED, times=1)
    with injector.active():
        response = REQUESTS[operation](client, world)

    assert response.status_code < 300, response.text
    assert injector.sleeps  # botocore backed off before trying again
    assert all(0 <= delay <= 20 for delay in injector.sleeps)


@pytest.mark.parametrize(
    ("operation", "aws_operation", "status"),
    [
        ("createUser", "TransactWriteItems", 201),
        ("updateUser", "TransactWriteItems", 200),
        ("createAsset", "PutItem", 201),
        ("deleteAsset", "DeleteItem", 204),
    ],
)
def test_a_write_whose_answer_was_lost_and_retried_is_recognised_as_done(
    client, settings, world, operation, aws_operation, status
):
    # botocore retries after the lost answer; DynamoDB dedupes a retried transaction by its
    # token, but the emulator does not, and PutItem has no token: the retry then fails its
    # own condition, and the write must be recognised as the one that landed.
    injector = FaultInjector()
    injector.fail(aws_operation, RESPONSE_LOST, times=1)
    with injector.active():
        response = REQUESTS[operation](client, world)

    assert response.status_code == status, response.text
    assert injector.attempts[aws_operation] == 2
    items, _ = stored_state(settings)
    emails = [i["email"] for i in items[settings.table("users")] if i.get("entity") == "user"]
    assert len(emails) == len(set(emails))
    expected_assets = {"createAsset": 3, "deleteAsset": 1}.get(operation, 2)
    assert len(items[settings.table("assets")]) == expected_assets


DYNAMODB_CLIENTS = {
    "the application's": lambda settings: aws_client("dynamodb", settings),
    "pynamodb's": lambda settings: model_connection(bind_user_table(settings)).client,
    "a new session's": lambda settings: botocore.session.get_session().create_client(
        "dynamodb",
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint_url,
        config=botocore_config(settings.aws_read_timeout_seconds),
    ),
}


@pytest.mark.parametrize("make_client", DYNAMODB_CLIENTS.values(), ids=DYNAMODB_CLIENTS)
def test_a_fault_is_reached_from_every_kind_of_client_and_backs_off_between_attempts(
    settings, make_client
):
    # The seams of tests/faults.py on botocore: botocore.register_initializer, the
    # before-send event, and the endpoint's time.sleep between attempts.
    client = make_client(settings)
    injector = FaultInjector()
    injector.fail("DescribeTable", THROTTLED)
    with injector.active(), pytest.raises(ClientError) as raised:
        client.describe_table(TableName=settings.table("users"))

    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    assert injector.attempts["DescribeTable"] == MAX_ATTEMPTS
    assert len(injector.sleeps) == MAX_ATTEMPTS - 1
