"""The data contract of contract/DATA.md: every vector of contract/vectors.json against the
Python code; stored shapes through the real repositories and the emulator, read back raw."""

from __future__ import annotations

import base64
import calendar
import hashlib
import hmac
import itertools
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import boto3
import pytest

import api.assets.service as assets_service_module
import api.users.service as users_service_module
from api.assets.bucket import S3ObjectStorage
from api.assets.file_names import content_disposition, safe_file_name
from api.assets.service import UPLOAD_PREFIX, Asset, AssetService, asset_id_of
from api.assets.storage import DynamoAssetRepository, bind_asset_table
from api.aws.dynamo import model_connection, start_key
from api.aws.idempotency import dynamo_persistence
from api.aws.rate_limits import dynamo_hit_counter
from api.paths import ROOT
from api.rules.cursors import TAG_BYTES, CursorCodec, query_fingerprint
from api.rules.errors import DomainError, NotFound
from api.rules.etags import etag_of, if_match_allows
from api.rules.principal import Principal
from api.rules.rate_limits import RateLimit, rate_limit_headers
from api.rules.timestamps import format_millis, format_seconds, parse_to_seconds
from api.settings import Settings
from api.users.list_shards import LIST_SHARDS, list_shard
from api.users.service import User, UserQuery, UserService, normalize_email
from api.users.storage import DynamoUserRepository, bind_user_table
from api.web.idempotency import IdempotentRequests, Outcome
from dev.fakes import FakeClock, InMemoryAssetRepository, InMemoryObjectStorage
from tests.identity import ADMIN_CALLER

VECTORS: dict[str, list[dict[str, Any]]] = json.loads(
    (ROOT / "contract" / "vectors.json").read_text(encoding="utf-8")
)
KEY_NAMES = {"users": "userId", "assets": "assetId", "idempotency": "id", "rate_limits": "window"}
# What a presigned POST carries that changes with every signature: compared as placeholders.
SIGNATURE_FIELDS = {"policy", "x-amz-credential", "x-amz-date", "x-amz-signature"}
_PLACEHOLDER = re.compile(r"[#:][A-Za-z0-9_]+")
_FUNCTION_SPACE = re.compile(r"\b(attribute_not_exists|attribute_exists) \(")


def vectors(section: str) -> list[Any]:
    return [pytest.param(v["input"], v["output"], id=v["name"]) for v in VECTORS.get(section, [])]


# -- building the inputs ------------------------------------------------------------------


def make_user(fields: dict[str, Any]) -> User:
    return User(
        user_id=fields["userId"],
        email=fields["email"],
        name=fields["name"],
        department=fields.get("department"),
        created_at=fields["createdAt"],
        updated_at=fields["updatedAt"],
        expires_at=fields.get("expiresAt"),
        version=fields["version"],
        subject=fields.get("subject"),
    )


def make_asset(fields: dict[str, Any]) -> Asset:
    return Asset(
        asset_id=fields["assetId"],
        file_name=fields["fileName"],
        content_type=fields["contentType"],
        size=fields["size"],
        status=fields["status"],
        s3_key=fields["s3Key"],
        created_at=fields["createdAt"],
        updated_at=fields["updatedAt"],
        expires_at=fields["expiresAt"],
        version=fields["version"],
        owner_id=fields.get("ownerId"),
    )


@contextmanager
def fixed_ids(module: Any, ids: list[str]) -> Iterator[None]:
    """`module`'s uuid4 hands out `ids` in turn (the services draw their ids from uuid4)."""
    given = iter(ids)
    fake = SimpleNamespace(uuid4=lambda: uuid.UUID(next(given)), UUID=uuid.UUID)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "uuid", fake)
        yield


# -- reading what is stored ---------------------------------------------------------------


def dynamodb(settings: Settings) -> Any:
    return boto3.client(
        "dynamodb", region_name=settings.region, endpoint_url=settings.aws_endpoint_url
    )


def raw_table(settings: Settings, table: str) -> list[dict[str, Any]]:
    """Every item of the table as DynamoDB JSON, ordered by key."""
    items = dynamodb(settings).scan(TableName=settings.table(table))["Items"]
    return sorted(items, key=lambda item: item[KEY_NAMES[table]]["S"])


def put_raw(settings: Settings, table: str, items: list[dict[str, Any]]) -> None:
    for item in items:
        dynamodb(settings).put_item(TableName=settings.table(table), Item=item)


def resolved(request: dict[str, Any]) -> str:
    """A request's condition with its placeholders replaced by the names and values."""
    names = request.get("ExpressionAttributeNames", {})
    values = request.get("ExpressionAttributeValues", {})

    def value(token: str) -> str:
        if token.startswith("#"):
            return str(names[token])
        (kind, literal), *_ = values[token].items()
        return str(literal) if kind == "N" else json.dumps(literal, ensure_ascii=False)

    text = _PLACEHOLDER.sub(lambda m: value(m.group()), request["ConditionExpression"])
    return _FUNCTION_SPACE.sub(r"\1(", text)


def _write(kind: str, request: dict[str, Any]) -> dict[str, Any]:
    shape = {"Item": request["Item"]} if kind == "Put" else {"Key": request["Key"]}
    return {kind: {**shape, "Condition": resolved(request)}}


@contextmanager
def recorded_writes(table_model: Any) -> Iterator[list[dict[str, Any]]]:
    """The writes the model's connection sends, in order, without table names."""
    writes: list[dict[str, Any]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        operation = model.name
        if operation == "TransactWriteItems":
            actions = [_write(*next(iter(item.items()))) for item in params["TransactItems"]]
            writes.append({operation: actions})
        elif operation in ("PutItem", "DeleteItem"):
            writes.append({operation: _write(operation[:-4], params)[operation[:-4]]})

    # The repositories' own connection, as they reach it.
    events = model_connection(table_model).client.meta.events
    events.register("provide-client-params.dynamodb.*", record)
    try:
        yield writes
    finally:
        events.unregister("provide-client-params.dynamodb.*", record)


def attempt(action: Callable[[], Any]) -> dict[str, str]:
    """{} when `action` succeeds, {"error": name} when it raises a domain error."""
    try:
        action()
    except DomainError as exc:
        return {"error": type(exc).__name__}
    return {}


# -- the outputs, as the code produces them -----------------------------------------------


def user_items_output(settings: Settings, given: dict[str, Any]) -> dict[str, Any]:
    repository = DynamoUserRepository(bind_user_table(settings))
    repository.add(make_user(given["user"]), given["now"])
    return {"table": raw_table(settings, "users")}


def user_writes_output(settings: Settings, given: dict[str, Any]) -> dict[str, Any]:
    model = bind_user_table(settings)
    repository = DynamoUserRepository(model)
    now = given["now"]
    for user in given.get("stored", []):
        repository.add(make_user(user), now)
    operations: dict[str, Callable[[], None]] = {
        "add": lambda: repository.add(make_user(given["user"]), now),
        "replace": lambda: repository.replace(
            make_user(given["current"]), make_user(given["new"]), now
        ),
        "remove": lambda: repository.remove(make_user(given["current"]), now),
    }
    with recorded_writes(model) as writes:
        outcome = attempt(operations[given["operation"]])
    return {**outcome, "writes": writes, "table": raw_table(settings, "users")}


def user_creates_output(settings: Settings, given: dict[str, Any]) -> dict[str, Any]:
    service = UserService(
        DynamoUserRepository(bind_user_table(settings)), FakeClock(now=given["now"])
    )
    body = given["body"]
    with fixed_ids(users_service_module, [given["userId"]]):
        user = service.create(
            ADMIN_CALLER,
            body["email"],
            body["name"],
            body.get("department"),
            body.get("expiresAt"),
            subject=body.get("subject"),
        )
    return {"etag": user.etag, "table": raw_table(settings, "users")}


def asset_items_output(settings: Settings, given: dict[str, Any]) -> dict[str, Any]:
    DynamoAssetRepository(bind_asset_table(settings)).add(make_asset(given["asset"]))
    return {"table": raw_table(settings, "assets")}


def asset_writes_output(settings: Settings, given: dict[str, Any]) -> dict[str, Any]:
    model = bind_asset_table(settings)
    repository = DynamoAssetRepository(model)
    now = given["now"]
    for asset in given.get("stored", []):
        repository.add(make_asset(asset))
    operations: dict[str, Callable[[], None]] = {
        "add": lambda: repository.add(make_asset(given["asset"])),
        "replace": lambda: repository.replace(
            make_asset(given["current"]), make_asset(given["new"]), now
        ),
        "remove": lambda: repository.remove(make_asset(given["current"])),
    }
    with recorded_writes(model) as writes:
        outcome = attempt(operations[given["operation"]])
    return {**outcome, "writes": writes, "table": raw_table(settings, "assets")}


def presigned_fields(fields: dict[str, str]) -> dict[str, str]:
    return {k: "{" + k + "}" if k in SIGNATURE_FIELDS else v for k, v in fields.items()}


def policy_of(settings: Settings, fields: dict[str, str]) -> dict[str, Any]:
    """The decoded policy with the per-signature values as placeholders."""
    policy = json.loads(base64.b64decode(fields["policy"]))
    placeholders = {
        "bucket": "{bucket}",
        "x-amz-credential": "{x-amz-credential}",
        "x-amz-date": "{x-amz-date}",
    }
    conditions = [
        {k: placeholders.get(k, v) for k, v in c.items()} if isinstance(c, dict) else c
        for c in policy["conditions"]
    ]
    assert {"bucket": settings.bucket("assets")} in policy["conditions"]
    signed = calendar.timegm(time.strptime(fields["x-amz-date"], "%Y%m%dT%H%M%SZ"))
    expires = calendar.timegm(time.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ"))
    # botocore reads its clock for the expiration a moment before it signs.
    lifetime = expires - signed
    return {"conditions": conditions, "lifetime": lifetime}


def asset_creates_output(settings: Settings, given: dict[str, Any]) -> dict[str, Any]:
    service = AssetService(
        DynamoAssetRepository(bind_asset_table(settings)),
        S3ObjectStorage(settings),
        FakeClock(now=given["now"]),
        upload_expires_seconds=given["uploadExpiresSeconds"],
    )
    body = given["body"]
    with fixed_ids(assets_service_module, [given["assetId"]]):
        _, upload = service.create(
            Principal(given["caller"]), body["fileName"], body["contentType"], body["size"]
        )
    policy = policy_of(settings, upload.fields)
    lifetime = policy.pop("lifetime")
    assert given["uploadExpiresSeconds"] - 1 <= lifetime <= given["uploadExpiresSeconds"]
    return {
        "table": raw_table(settings, "assets"),
        "upload": {
            "fields": presigned_fields(upload.fields),
            **policy,
            "expiresAt": upload.expires_at,
        },
    }


def s3_keys_output(given: dict[str, Any]) -> dict[str, Any]:
    service = AssetService(InMemoryAssetRepository(), InMemoryObjectStorage(), FakeClock())
    with fixed_ids(assets_service_module, [given["assetId"]]):
        asset, _ = service.create(ADMIN_CALLER, given["fileName"], "text/plain", 1)
    assert asset_id_of(asset.s3_key) == given["assetId"]
    return {"safeName": safe_file_name(given["fileName"]), "s3Key": asset.s3_key}


def upload_keys_output(given: dict[str, Any]) -> dict[str, Any]:
    service = AssetService(InMemoryAssetRepository(), InMemoryObjectStorage(), FakeClock())
    with fixed_ids(assets_service_module, [given["assetId"]]):
        asset, upload = service.create(ADMIN_CALLER, given["fileName"], "text/plain", 1)
    assert upload.fields["key"] == asset.upload_key
    return {"s3Key": asset.s3_key, "uploadKey": asset.upload_key}


def cursor_codec(given: dict[str, Any]) -> CursorCodec:
    """The cursors signed with the vector's key (UTF-8 bytes of `cursorKey`)."""
    return CursorCodec((given["cursorKey"].encode(),))


def expired_above(given: dict[str, Any]) -> list[dict[str, Any]]:
    """The `expiredAbove` users of a pages vector: n = 1, 2, ... newer than every stored one,
    in the list shard of the newest stored one, all expired at `now` (see contract/DATA.md,
    Reading the vectors)."""
    if not given.get("expiredAbove"):
        return []
    newest = max(given["stored"], key=lambda user: user["createdAt"])
    ids = (f"00000000-0000-4000-8000-{k:012d}" for k in itertools.count(1))
    in_shard = (i for i in ids if list_shard(i) == list_shard(newest["userId"]))
    return [
        {
            "userId": user_id,
            "email": f"expired-{n}@example.com",
            "name": "Expired",
            "createdAt": newest["createdAt"] + n,
            "updatedAt": newest["createdAt"] + n,
            "expiresAt": int(given["now"]),
            "version": 1,
        }
        for n, user_id in zip(range(1, given["expiredAbove"] + 1), in_shard, strict=False)
    ]


def list_shards_output(given: dict[str, Any]) -> dict[str, Any]:
    digest = hashlib.sha256(given["userId"].encode()).digest()
    return {"first4Bytes": digest[:4].hex(), "listShard": list_shard(given["userId"])}


def list_users(settings: Settings, given: dict[str, Any]) -> tuple[list[str], str | None]:
    repository = DynamoUserRepository(bind_user_table(settings))
    for user in given.get("stored", []) + expired_above(given):
        repository.add(make_user(user), given["storedAt"])
    service = UserService(repository, FakeClock(now=given["now"]), cursors=cursor_codec(given))
    # Only administrators list users.
    caller = Principal(given["caller"], admin=True)
    page = service.list(caller, UserQuery(**given["query"]), given["limit"], given.get("cursor"))
    return [user.user_id for user in page.items], page.next_cursor


def list_assets(settings: Settings, given: dict[str, Any]) -> tuple[list[str], str | None]:
    repository = DynamoAssetRepository(bind_asset_table(settings))
    for asset in given.get("stored", []):
        repository.add(make_asset(asset))
    service = AssetService(
        repository,
        InMemoryObjectStorage(),
        FakeClock(now=given["now"]),
        cursors=cursor_codec(given),
    )
    page = service.list(
        Principal(given["caller"]),
        given["query"].get("status"),
        given["limit"],
        given.get("cursor"),
    )
    return [asset.asset_id for asset in page.items], page.next_cursor


LISTINGS = {"users": list_users, "assets": list_assets}


def pages_output(settings: Settings, given: dict[str, Any]) -> dict[str, Any]:
    ids, next_cursor = LISTINGS[given["resource"]](settings, given)
    return {"ids": ids, "nextCursor": next_cursor}


def timestamps_output(given: dict[str, Any]) -> dict[str, Any]:
    if "epochMillis" in given:
        return {"rfc3339": format_millis(given["epochMillis"])}
    if "epochSeconds" in given:
        return {"rfc3339": format_seconds(given["epochSeconds"])}
    parsed: list[int] = []
    refused = attempt(lambda: parsed.append(parse_to_seconds(given["rfc3339"], "expiresAt")))
    return refused or {"epochSeconds": parsed[0]}


def start_keys_output(given: dict[str, Any]) -> dict[str, Any]:
    partition = (given["partition"][0], given["partition"][1])
    keys: list[dict[str, Any]] = []
    refused = attempt(lambda: keys.append(start_key(given["position"], given["idName"], partition)))
    return refused or {"exclusiveStartKey": keys[0]}


def cursors_output(given: dict[str, Any]) -> dict[str, Any]:
    codec = cursor_codec(given)
    cursor = codec.encode(given["query"], given["position"])
    assert codec.decode(cursor, given["query"]) == given["position"]
    signed = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    payload, tag = signed[:-TAG_BYTES], signed[-TAG_BYTES:]
    return {
        "fingerprint": query_fingerprint(given["query"]),
        "payload": payload.decode("ascii"),
        "tag": tag.hex(),
        "cursor": cursor,
    }


def idempotency_output(settings: Settings, given: dict[str, Any]) -> dict[str, Any]:
    """The records of one run and its replay; times as read from the wall clock."""
    requests = IdempotentRequests(dynamo_persistence(settings))
    first = Outcome(**given["outcome"])
    during: list[list[dict[str, Any]]] = []

    def execute() -> Outcome:
        during.append(raw_table(settings, "idempotency"))
        return first

    before = time.time()
    caller = Principal(given["caller"])
    outcome, replayed = requests.run(
        given["operation"], caller, given["key"], given["payload"], execute
    )
    after = time.time()
    assert (outcome, replayed) == (first, False)
    completed = raw_table(settings, "idempotency")
    again = requests.run(given["operation"], caller, given["key"], given["payload"], execute)
    assert again == (first, True)
    assert len(during) == 1
    return {"inProgress": during[0], "completed": completed, "wall": (before, after)}


def rate_limits_output(settings: Settings, given: dict[str, Any]) -> dict[str, Any]:
    """The windows of `requests` (instants) by one caller, and what the last one answered."""
    limit = RateLimit(dynamo_hit_counter(settings), given["quota"])
    last: dict[str, Any] = {}
    for now in given["requests"]:
        try:
            last = {"headers": rate_limit_headers(limit.admit(given["caller"], now))}
        except DomainError as exc:
            last = {"error": type(exc).__name__, "headers": exc.headers}
    return {**last, "table": raw_table(settings, "rate_limits")}


# -- the checks ---------------------------------------------------------------------------


def test_every_section_of_the_vectors_is_checked_here() -> None:
    assert set(VECTORS) == {
        "email_normalization",
        "etags",
        "if_match",
        "timestamps",
        "cursors",
        "cursor_rejections",
        "start_keys",
        "s3_keys",
        "upload_keys",
        "upload_events",
        "content_dispositions",
        "user_items",
        "user_writes",
        "user_creates",
        "asset_items",
        "asset_writes",
        "asset_creates",
        "pages",
        "idempotency_records",
        "rate_limits",
        "list_shards",
    }
    for section in VECTORS.values():
        names = [vector["name"] for vector in section]
        assert len(names) == len(set(names))
        assert all(set(vector) == {"name", "input", "output"} for vector in section)


@pytest.mark.parametrize(("given", "expected"), vectors("email_normalization"))
def test_emails_are_stored_normalized_as_the_vector_says(given, expected):
    normalized: list[str] = []
    refused = attempt(lambda: normalized.append(normalize_email(given["email"])))
    assert (refused or {"email": normalized[0]}) == expected
    if normalized:
        assert normalize_email(normalized[0]) == normalized[0]  # normalised once


@pytest.mark.parametrize(("given", "expected"), vectors("etags"))
def test_the_etag_of_a_version_is_the_vectors(given, expected):
    assert {"etag": etag_of(given["version"])} == expected


@pytest.mark.parametrize(("given", "expected"), vectors("if_match"))
def test_if_match_allows_a_change_as_the_vector_says(given, expected):
    assert {"allows": if_match_allows(given["ifMatch"], given["etag"])} == expected


@pytest.mark.parametrize(("given", "expected"), vectors("timestamps"))
def test_instants_convert_between_table_and_api_as_the_vector_says(given, expected):
    assert timestamps_output(given) == expected


@pytest.mark.parametrize(("given", "expected"), vectors("cursors"))
def test_a_cursor_encodes_its_query_and_position_byte_for_byte(given, expected):
    canonical = expected["canonicalQuery"]
    assert hashlib.sha256(canonical.encode()).hexdigest()[:16] == expected["fingerprint"]
    tag = hmac.digest(given["cursorKey"].encode(), expected["payload"].encode(), "sha256")
    assert tag[:TAG_BYTES].hex() == expected["tag"]
    assert {**cursors_output(given), "canonicalQuery": canonical} == expected


@pytest.mark.parametrize(("given", "expected"), vectors("cursor_rejections"))
def test_a_listing_with_a_cursor_not_issued_for_its_query_is_refused(settings, given, expected):
    assert attempt(lambda: LISTINGS[given["resource"]](settings, given)) == expected


@pytest.mark.parametrize(("given", "expected"), vectors("start_keys"))
def test_a_position_becomes_the_exclusive_start_key_the_vector_says(given, expected):
    assert start_keys_output(given) == expected


@pytest.mark.parametrize(("given", "expected"), vectors("list_shards"))
def test_a_user_is_in_the_list_shard_the_vector_says(given, expected):
    assert list_shards_output(given) == expected


def test_the_list_shard_vectors_cover_every_shard_and_ids_past_2_to_the_31():
    outputs = [vector["output"] for vector in VECTORS["list_shards"]]
    assert {o["listShard"] for o in outputs} == {str(n) for n in range(LIST_SHARDS)}
    assert any(int(o["first4Bytes"], 16) >= 2**31 for o in outputs)  # no signed 32-bit read


@pytest.mark.parametrize(("given", "expected"), vectors("s3_keys"))
def test_a_file_name_becomes_the_safe_name_and_s3_key_of_the_vector(given, expected):
    assert s3_keys_output(given) == expected


@pytest.mark.parametrize(("given", "expected"), vectors("upload_keys"))
def test_an_asset_is_uploaded_to_the_upload_key_of_the_vector(given, expected):
    assert upload_keys_output(given) == expected


@pytest.mark.parametrize(("given", "expected"), vectors("upload_events"))
def test_an_object_created_key_is_the_upload_of_the_vectors_asset(given, expected):
    assert {"assetId": asset_id_of(given["key"], UPLOAD_PREFIX)} == expected


@pytest.mark.parametrize(("given", "expected"), vectors("content_dispositions"))
def test_a_download_names_the_file_as_the_vector_says(given, expected):
    assert {"contentDisposition": content_disposition(given["fileName"])} == expected


@pytest.mark.parametrize(("given", "expected"), vectors("user_items"))
def test_an_added_user_is_stored_as_the_vectors_items(settings, given, expected):
    assert user_items_output(settings, given) == expected


@pytest.mark.parametrize(("given", "expected"), vectors("user_items"))
def test_the_vectors_user_items_read_back_as_the_user(settings, given, expected):
    put_raw(settings, "users", expected["table"])
    repository = DynamoUserRepository(bind_user_table(settings))
    user = make_user(given["user"])

    assert repository.get(user.user_id, given["now"]) == user
    for item in expected["table"]:
        if item["userId"]["S"] != user.user_id:  # the guard is no user
            with pytest.raises(NotFound):
                repository.get(item["userId"]["S"], given["now"])


@pytest.mark.parametrize(("given", "expected"), vectors("user_writes"))
def test_a_user_write_sends_and_leaves_what_the_vector_says(settings, given, expected):
    assert user_writes_output(settings, given) == expected


@pytest.mark.parametrize(("given", "expected"), vectors("user_creates"))
def test_a_created_user_is_stored_as_the_vector_says(settings, given, expected):
    assert user_creates_output(settings, given) == expected


@pytest.mark.parametrize(("given", "expected"), vectors("asset_items"))
def test_an_added_asset_is_stored_as_the_vectors_item(settings, given, expected):
    assert asset_items_output(settings, given) == expected


@pytest.mark.parametrize(("given", "expected"), vectors("asset_items"))
def test_the_vectors_asset_item_reads_back_as_the_asset(settings, given, expected):
    put_raw(settings, "assets", expected["table"])
    asset = make_asset(given["asset"])
    repository = DynamoAssetRepository(bind_asset_table(settings))
    assert repository.get(asset.asset_id, given["now"]) == asset


@pytest.mark.parametrize(("given", "expected"), vectors("asset_writes"))
def test_an_asset_write_sends_and_leaves_what_the_vector_says(settings, given, expected):
    assert asset_writes_output(settings, given) == expected


@pytest.mark.parametrize(("given", "expected"), vectors("asset_creates"))
def test_a_created_asset_is_stored_and_presigned_as_the_vector_says(settings, given, expected):
    assert asset_creates_output(settings, given) == expected


@pytest.mark.parametrize(("given", "expected"), vectors("pages"))
def test_a_listing_pages_with_the_cursors_of_the_vector(settings, given, expected):
    assert pages_output(settings, given) == expected


def on_wall_clock(expected: int, now: int, wall: tuple[float, float], scale: int) -> range:
    """The values a time `expected - now` after the vector's `now` may take when written
    between the wall-clock instants `wall` (Powertools reads the wall clock itself), in
    units of 1/`scale` second; a millisecond's leeway for float rounding."""
    offset = expected - now * scale
    leeway = 1 if scale > 1 else 0
    return range(int(wall[0] * scale) + offset - leeway, int(wall[1] * scale) + offset + 1)


@pytest.mark.parametrize(("given", "expected"), vectors("idempotency_records"))
def test_an_idempotent_request_leaves_the_record_of_the_vector(settings, given, expected):
    actual = idempotency_output(settings, given)
    wall, now = actual.pop("wall"), given["now"]
    for state in ("inProgress", "completed"):
        (record,) = actual[state]
        (wanted,) = expected["records"][state]
        assert int(record["expiration"]["N"]) in on_wall_clock(
            int(wanted["expiration"]["N"]), now, wall, 1
        )
        assert int(record["in_progress_expiration"]["N"]) in on_wall_clock(
            int(wanted["in_progress_expiration"]["N"]), now, wall, 1000
        )
        times = {k: wanted[k] for k in ("expiration", "in_progress_expiration")}
        assert {**record, **times} == wanted
    hashes = expected["hashes"]
    assert hashlib.md5(hashes["keyJson"].encode()).hexdigest() == hashes["key"]
    assert hashlib.md5(hashes["payloadJson"].encode()).hexdigest() == hashes["payload"]
    completed = expected["records"]["completed"][0]
    assert completed["id"] == {"S": f"{given['operation']}#{hashes['key']}"}
    assert completed["validation"] == {"S": hashes["payload"]}


@pytest.mark.parametrize(("given", "expected"), vectors("rate_limits"))
def test_a_callers_requests_are_counted_in_the_windows_of_the_vector(settings, given, expected):
    assert rate_limits_output(settings, given) == expected
