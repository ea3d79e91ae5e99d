"""AWS throttling and failures, injected at the botocore boundary for every operation:
retried within bounds, then 503 with Retry-After, and never a half-written change; and
refusals that no retry changes answered as errors of the server, never as conflicts."""

from __future__ import annotations

import json

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError
from starlette.testclient import TestClient

from api.aws.clients import MAX_ATTEMPTS, aws_client, botocore_config, forget_clients
from api.aws.dynamo import model_connection
from api.functions.builders import local_app
from api.users.storage import bind_user_table
from tests.api.problems import assert_problem
from tests.faults import (
    CONNECT_TIMED_OUT,
    CONNECTION_BROKEN,
    CONNECTION_LOST,
    DYNAMODB_DOWN,
    DYNAMODB_UNAVAILABLE,
    EMULATOR_FAILED,
    GATEWAY_DOWN,
    OVER_CAPACITY,
    OVER_QUOTA,
    RESPONSE_LOST,
    S3_DOWN,
    S3_SLOW_DOWN,
    THROTTLED,
    TIMED_OUT,
    TRANSACTION_THROTTLED,
    FaultInjector,
    cancelled,
)
from tests.identity import bearer, verify
from tests.transfers import upload

# Every kind of fault that outlasts botocore's retries: throttling, 5xx (an AWS error, a
# proxy's page, the emulator's own failure), refused or broken connections and timeouts.
DYNAMODB_FAULTS = [
    THROTTLED,
    OVER_CAPACITY,
    OVER_QUOTA,
    DYNAMODB_DOWN,
    DYNAMODB_UNAVAILABLE,
    GATEWAY_DOWN,
    EMULATOR_FAILED,
    CONNECTION_LOST,
    CONNECT_TIMED_OUT,
    CONNECTION_BROKEN,
    TIMED_OUT,
]
S3_FAULTS = [S3_SLOW_DOWN, S3_DOWN, GATEWAY_DOWN, CONNECTION_LOST, CONNECTION_BROKEN, TIMED_OUT]


@pytest.fixture(autouse=True)
def fresh_clients():
    """Each test with the AWS clients of a fresh process, and none left to the next: the
    retry quota of botocore's standard mode, spent by injected faults, lives in them."""
    forget_clients()
    yield
    forget_clients()


@pytest.fixture
def client(settings):
    """The local app, answering every error as a response (a 500 too) rather than raising."""
    with TestClient(
        local_app(settings, authenticate=verify), headers=bearer(), raise_server_exceptions=False
    ) as client:
        yield client


def assert_unavailable(response):
    assert_problem(response, 503, "Retry shortly")
    assert response.headers["retry-after"] == "1"


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


KEY = {"Idempotency-Key": "0b6f9a52-5e55-4d5e-9a34-0d3c4b1e7f21"}
REQUESTS = {
    "createUser": lambda c, w: c.post("/users", json={"email": "new@example.com", "name": "N"}),
    "createUser with Idempotency-Key": lambda c, w: c.post(
        "/users", json={"email": "new@example.com", "name": "N"}, headers=KEY
    ),
    "listUsers": lambda c, w: c.get("/users"),
    "listUsers of a department": lambda c, w: c.get("/users", params={"department": "Eng"}),
    "listUsers by email": lambda c, w: c.get("/users", params={"email": "ada@example.com"}),
    "getUser": lambda c, w: c.get(f"/users/{w['user']}"),
    "updateUser": lambda c, w: c.patch(f"/users/{w['user']}", json={"email": "b@example.com"}),
    "deleteUser": lambda c, w: c.delete(f"/users/{w['user']}"),
    "createAsset": lambda c, w: c.post(
        "/assets", json={"fileName": "c.txt", "contentType": "text/plain", "size": 1}
    ),
    "createAsset with Idempotency-Key": lambda c, w: c.post(
        "/assets", json={"fileName": "c.txt", "contentType": "text/plain", "size": 1}, headers=KEY
    ),
    "listAssets": lambda c, w: c.get("/assets"),
    "listAssets of a status": lambda c, w: c.get("/assets", params={"status": "pending"}),
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

    assert_unavailable(response)
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

    assert_unavailable(response)
    assert stored_state(settings) == before
    assert injector.attempts["TransactWriteItems"] == 1  # botocore does not retry a cancellation


def unhandled_errors(capsys):
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    return [line for line in lines if line.get("event") == "unhandled_error"]


@pytest.mark.parametrize("operation", ["createUser", "updateUser", "deleteUser"])
@pytest.mark.parametrize(
    "reasons",
    [
        ("ValidationError", "None", "None"),
        ("None", "ItemCollectionSizeLimitExceeded", "None"),
        ("ConditionalCheckFailed", "ValidationError", "None"),
        ("ThrottlingError", "ValidationError", "None"),
        ("TransactionConflict", "SomeReasonDynamoDBAddsLater", "None"),
    ],
    ids=lambda reasons: "+".join(r for r in reasons if r != "None"),
)
def test_a_transaction_refused_for_good_is_a_logged_500_not_a_conflict_and_is_not_retried(
    client, settings, world, capsys, operation, reasons
):
    before = stored_state(settings)
    capsys.readouterr()
    injector = FaultInjector()
    injector.fail("TransactWriteItems", cancelled(*reasons))
    with injector.active():
        response = REQUESTS[operation](client, world)

    body = assert_problem(response, 500)
    assert body["detail"] == "The server could not complete the request."
    assert "retry-after" not in response.headers
    assert stored_state(settings) == before
    assert injector.attempts["TransactWriteItems"] == 1  # neither botocore nor the service retry
    [logged] = unhandled_errors(capsys)
    assert logged["error_type"] == "AwsRefusal"
    assert logged["request_id"] == body["requestId"]


@pytest.mark.parametrize("operation", ["createUser", "updateUser", "deleteUser"])
def test_a_transaction_that_keeps_meeting_another_is_a_409_after_the_services_attempts(
    client, settings, world, operation
):
    before = stored_state(settings)
    injector = FaultInjector()
    injector.fail("TransactWriteItems", cancelled("TransactionConflict", "None", "None"))
    with injector.active():
        response = REQUESTS[operation](client, world)

    assert_problem(response, 409, "other requests; try again")
    assert stored_state(settings) == before
    assert injector.attempts["TransactWriteItems"] == 5


@pytest.mark.parametrize(
    ("operation", "status"), [("createUser", 201), ("updateUser", 200), ("deleteUser", 204)]
)
def test_a_transaction_that_met_another_once_succeeds_on_the_services_next_attempt(
    client, world, operation, status
):
    injector = FaultInjector()
    injector.fail("TransactWriteItems", cancelled("None", "TransactionConflict", "None"), times=1)
    with injector.active():
        response = REQUESTS[operation](client, world)

    assert response.status_code == status, response.text
    assert injector.attempts["TransactWriteItems"] == 2


@pytest.fixture
def long_listing(client, settings):
    """Users whose listing takes more than one read: the newest three have expired."""
    dynamodb = boto3.resource(
        "dynamodb", region_name=settings.region, endpoint_url=settings.aws_endpoint_url
    )
    table = dynamodb.Table(settings.table("users"))
    for n in range(3):
        user_id = f"00000000-0000-4000-8000-{n:012d}"
        table.put_item(
            Item={
                "userId": user_id,
                "entity": "user",
                "email": f"gone{n}@example.com",
                "name": "Gone",
                "department": "Eng",
                "createdAt": 4_000_000_000_000 + n,
                "updatedAt": 4_000_000_000_000 + n,
                "ttl": 1,
                "version": 1,
            }
        )
    client.post("/users", json={"email": "ada@example.com", "name": "Ada", "department": "Eng"})


@pytest.mark.parametrize(
    ("request_", "operation"),
    [
        ({}, "Query"),
        ({"department": "Eng"}, "Query"),
        ({"email": "ada@example.com"}, "GetItem"),  # the guard, then its owner
    ],
    ids=["all", "department", "email"],
)
@pytest.mark.parametrize("fault", [DYNAMODB_DOWN, EMULATOR_FAILED, TIMED_OUT], ids=lambda f: f.code)
def test_a_fault_on_a_listings_later_read_is_a_503(
    client, settings, long_listing, request_, operation, fault
):
    before = stored_state(settings)
    injector = FaultInjector()
    injector.fail(operation, fault, after=1)  # the first read succeeds
    with injector.active():
        response = client.get("/users", params={"limit": 1, **request_})

    assert_unavailable(response)
    assert stored_state(settings) == before
    assert injector.attempts[operation] == 1 + MAX_ATTEMPTS


@pytest.mark.parametrize("operation", ["getAsset", "deleteAsset"])
@pytest.mark.parametrize("fault", S3_FAULTS, ids=lambda f: f.code)
def test_an_s3_fault_is_a_503_and_leaves_metadata_and_object_whole(
    client, settings, world, operation, fault
):
    before = stored_state(settings)
    injector = FaultInjector()
    for s3_operation in ("HeadObject", "DeleteObject", "GetObject", "PutObject", "CopyObject"):
        injector.fail(s3_operation, fault)
    with injector.active():
        response = REQUESTS[operation](client, world)

    assert_unavailable(response)
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
