"""Idempotency-Key on POST /users and POST /assets, stored in the emulator's DynamoDB."""

from __future__ import annotations

import boto3
import pytest
from starlette.testclient import TestClient

from api.assets.bucket import S3ObjectStorage
from api.assets.service import AssetService
from api.assets.storage import DynamoAssetRepository, bind_asset_table
from api.functions.builders import dynamo_idempotency, local_app
from api.rules.errors import RequestInProgress
from api.rules.principal import Principal
from api.web.idempotency import Outcome
from dev.fakes import FakeClock
from tests.api.problems import assert_problem
from tests.faults import THROTTLED, FaultInjector
from tests.identity import ADMIN, bearer, verify

USER = {"email": "ada@example.com", "name": "Ada"}
ASSET = {"fileName": "a.txt", "contentType": "text/plain", "size": 5}


def count(settings, table):
    dynamodb = boto3.resource(
        "dynamodb", region_name=settings.region, endpoint_url=settings.aws_endpoint_url
    )
    items = dynamodb.Table(table).scan()["Items"]
    return sum(1 for item in items if item.get("entity") in ("user", "asset"))


def test_a_retry_with_the_same_key_and_body_replays_the_first_response(client, settings):
    headers = {"Idempotency-Key": "8e03978e-40d5-43e8-bc93-6894a57f9324"}
    first = client.post("/users", json=USER, headers=headers)
    again = client.post("/users", json=USER, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert count(settings, settings.table("users")) == 1


def test_a_quoted_key_is_the_same_key(client, settings):
    client.post("/users", json=USER, headers={"Idempotency-Key": "k-1"})
    again = client.post("/users", json=USER, headers={"Idempotency-Key": '"k-1"'})
    assert again.headers["idempotent-replayed"] == "true"
    assert count(settings, settings.table("users")) == 1


def test_the_same_key_with_another_body_is_422_and_creates_nothing(client, settings):
    client.post("/users", json=USER, headers={"Idempotency-Key": "k-2"})
    other = {**USER, "email": "bob@example.com"}

    assert_problem(client.post("/users", json=other, headers={"Idempotency-Key": "k-2"}), 422)
    assert count(settings, settings.table("users")) == 1


def test_keys_are_scoped_to_the_operation(client, settings):
    assert client.post("/users", json=USER, headers={"Idempotency-Key": "k-3"}).status_code == 201
    created = client.post("/assets", json=ASSET, headers={"Idempotency-Key": "k-3"})
    assert created.status_code == 201
    assert "idempotent-replayed" not in created.headers


def test_without_a_key_each_post_creates(client, settings):
    client.post("/assets", json=ASSET)
    client.post("/assets", json=ASSET)
    assert count(settings, settings.table("assets")) == 2


def test_a_failed_first_attempt_is_not_replayed(client, settings):
    client.post("/users", json=USER)
    headers = {"Idempotency-Key": "k-4"}
    assert_problem(client.post("/users", json=USER, headers=headers), 409)
    client.delete(client.get("/users").json()["items"][0]["userId"].join(["/users/", ""]))

    response = client.post("/users", json=USER, headers=headers)
    assert response.status_code == 201
    assert "idempotent-replayed" not in response.headers


@pytest.mark.parametrize("key", ["", "a" * 256, "with space", "tab\there", "é".encode()])
def test_a_malformed_key_is_400(client, settings, key):
    response = client.post("/users", json=USER, headers={"Idempotency-Key": key})
    assert_problem(response, 400, "Idempotency-Key")
    assert count(settings, settings.table("users")) == 0


def test_a_replayed_asset_creation_never_hands_back_an_expired_upload_url(settings):
    clock = FakeClock()
    assets = AssetService(
        DynamoAssetRepository(bind_asset_table(settings)),
        S3ObjectStorage(settings),
        clock,
        upload_expires_seconds=900,
    )
    with TestClient(
        local_app(settings, assets=assets, authenticate=verify), headers=bearer()
    ) as client:
        headers = {"Idempotency-Key": "k-5"}
        first = client.post("/assets", json=ASSET, headers=headers).json()
        clock.advance(3600)
        again = client.post("/assets", json=ASSET, headers=headers)

    body = again.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert body["assetId"] == first["assetId"]
    assert body["upload"]["fields"]["key"] == first["upload"]["fields"]["key"]
    assert body["upload"]["expiresAt"] > first["upload"]["expiresAt"]
    assert count(settings, settings.table("assets")) == 1


CALLER = Principal(ADMIN, admin=True)


def test_a_duplicate_while_the_first_is_in_flight_is_refused(settings):
    idempotency = dynamo_idempotency(settings)

    def first_run():
        # The retry arrives while the first request is still being served.
        idempotency.run("createUser", CALLER, "k-6", USER, lambda: Outcome({}, 201, {}))
        return Outcome({"first": True}, 201, {})

    with pytest.raises(RequestInProgress):
        idempotency.run("createUser", CALLER, "k-6", USER, first_run)


def test_an_idempotency_store_that_stays_throttled_is_a_503_and_creates_nothing(client, settings):
    injector = FaultInjector()
    injector.fail("PutItem", THROTTLED)
    with injector.active():
        response = client.post("/assets", json=ASSET, headers={"Idempotency-Key": "k-7"})

    assert_problem(response, 503)
    assert count(settings, settings.table("assets")) == 0


def test_a_retry_after_the_user_was_deleted_is_409_and_creates_nothing(client, settings):
    headers = {"Idempotency-Key": "replay-after-delete"}
    first = client.post("/users", json=USER, headers=headers)
    assert client.delete(first.headers["location"]).status_code == 204

    again = client.post("/users", json=USER, headers=headers)

    assert_problem(again, 409, "deleted since")
    assert count(settings, settings.table("users")) == 0
    # A new key creates the user anew.
    assert client.post("/users", json=USER, headers={"Idempotency-Key": "new"}).status_code == 201
