"""The floor: the same operations as the API's two Lambda functions, with no framework.

A minimal Lambda handler that parses HTTP API v2 events by hand and makes the same
DynamoDB and S3 calls as the application (the same items, conditions, transactions and
presigned URLs) with plain boto3, so that the application's figures can be read as
multiples of what the work itself costs. It checks only what it needs to stay correct;
it does not validate against the contract and does not log.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import parse_qs, quote

from botocore.config import Config
from botocore.exceptions import ClientError

Response = dict[str, Any]
USER_ENTITY = "user"
LIST_SHARDS = 8
ASSET_ENTITY = "asset"
GUARD_PREFIX = "email#"
ASSET_LIFETIME = 30 * 24 * 3600
DOWNLOAD_SECONDS = 3600
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_LIVE = "(attribute_not_exists(#ttl) OR #ttl > :now)"


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", **(headers or {})},
        "body": json.dumps(body, separators=(",", ":")),
        "isBase64Encoded": False,
    }


def _problem(status: int, detail: str) -> Response:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/problem+json"},
        "body": json.dumps({"status": status, "detail": detail}),
        "isBase64Encoded": False,
    }


def _millis(epoch_ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch_ms // 1000)) + (
        f".{epoch_ms % 1000:03d}Z"
    )


def _seconds(epoch_s: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch_s))


def _raw_body(event: dict[str, Any]) -> str:
    raw = event.get("body") or ""
    return base64.b64decode(raw).decode() if event.get("isBase64Encoded") else raw


def _body(event: dict[str, Any]) -> Any:
    raw = _raw_body(event)
    return json.loads(raw) if raw else None


def _user_json(item: dict[str, Any]) -> dict[str, Any]:
    body = {
        "userId": item["userId"]["S"],
        "email": item["email"]["S"],
        "name": item["name"]["S"],
        "createdAt": _millis(int(item["createdAt"]["N"])),
        "updatedAt": _millis(int(item["updatedAt"]["N"])),
    }
    if "department" in item:
        body["department"] = item["department"]["S"]
    if "ttl" in item:
        body["expiresAt"] = _seconds(int(item["ttl"]["N"]))
    return body


def _asset_json(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "assetId": item["assetId"]["S"],
        "ownerId": item["ownerId"]["S"],
        "fileName": item["fileName"]["S"],
        "contentType": item["contentType"]["S"],
        "size": int(item["size"]["N"]),
        "status": item["status"]["S"],
        "createdAt": _millis(int(item["createdAt"]["N"])),
        "updatedAt": _millis(int(item["updatedAt"]["N"])),
        "expiresAt": _seconds(int(item["ttl"]["N"])),
    }


def _caller(event: dict[str, Any]) -> str:
    """The subject API Gateway's JWT authorizer verified, as the app reads it."""
    return str(event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"])


def _is_live(item: dict[str, Any], now_s: int) -> bool:
    return "ttl" not in item or int(item["ttl"]["N"]) > now_s


def _list_shard(user_id: str) -> str:
    """api/users/list_shards.py's list_shard, as a second implementation would write it."""
    digest = hashlib.sha256(user_id.encode("utf-8")).digest()
    return str(int.from_bytes(digest[:4], "big") % LIST_SHARDS)


def _sort_key(item: dict[str, Any]) -> tuple[int, str]:
    return int(item["createdAt"]["N"]), item["userId"]["S"]


def _cancelled(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in {
        "TransactionCanceledException",
        "ConditionalCheckFailedException",
    }


class FloorHandler:
    """Users and assets operations on plain boto3 clients, routed by hand."""

    raw_body = staticmethod(_raw_body)

    def __init__(
        self,
        dynamodb: Callable[[], Any],
        s3: Callable[[], Any],
        *,
        users_table: str,
        assets_table: str,
        bucket: str,
        rate_limits_table: str | None = None,
        upload_expires_seconds: int = 900,
    ) -> None:
        self._dynamodb = dynamodb
        self._rate_limits = rate_limits_table
        self._s3 = s3
        self._users = users_table
        self._assets = assets_table
        self._bucket = bucket
        self._upload_expires = upload_expires_seconds

    def __call__(self, event: dict[str, Any], context: Any) -> Response:
        method = event["requestContext"]["http"]["method"]
        parts = event["rawPath"].strip("/").split("/")
        try:
            if self._rate_limits is not None:
                self.count_request(_caller(event))
            if parts[0] == "users":
                return self._users_route(method, parts, event)
            if parts[0] == "assets":
                return self._assets_route(method, parts, event)
        except (ValueError, KeyError, TypeError, AttributeError):
            return _problem(400, "The request is not valid.")
        return _problem(404, "No such route.")

    def _users_route(self, method: str, parts: list[str], event: dict[str, Any]) -> Response:
        if len(parts) == 1 and method == "POST":
            return self.create_user(_body(event))
        if len(parts) == 1 and method == "GET":
            query = parse_qs(event.get("rawQueryString") or "")
            return self.list_users(int(query.get("limit", ["20"])[0]))
        if len(parts) == 2 and method == "GET":
            return self.get_user(parts[1])
        if len(parts) == 2 and method == "PATCH":
            return self.update_user(parts[1], _body(event))
        if len(parts) == 2 and method == "DELETE":
            return self.delete_user(parts[1])
        return _problem(405, "Method not allowed.")

    def _assets_route(self, method: str, parts: list[str], event: dict[str, Any]) -> Response:
        if len(parts) == 1 and method == "POST":
            return self.create_asset(_body(event), _caller(event))
        if len(parts) == 2 and method == "GET":
            return self.get_asset(parts[1])
        if len(parts) == 3 and parts[2] == "download" and method == "GET":
            return self.download_asset(parts[1])
        return _problem(405, "Method not allowed.")

    def count_request(self, caller: str) -> None:
        """The caller's request counted in its minute's window, as the application's rate
        limit counts it (api/aws/rate_limits.py): one UpdateItem, no read."""
        window = int(time.time() // 60)
        self._dynamodb().update_item(
            TableName=self._rate_limits,
            Key={"window": {"S": f"{caller}#{window}"}},
            UpdateExpression="ADD #hits :one SET #ttl = :ttl",
            ExpressionAttributeNames={"#hits": "hits", "#ttl": "ttl"},
            ExpressionAttributeValues={":one": {"N": "1"}, ":ttl": {"N": str((window + 2) * 60)}},
            ReturnValues="ALL_NEW",
        )

    # Users: the user item and its email's guard item, written in one transaction.

    def _get_user_item(self, user_id: str, now_s: int) -> dict[str, Any] | None:
        item: dict[str, Any] | None = (
            self._dynamodb()
            .get_item(TableName=self._users, Key={"userId": {"S": user_id}}, ConsistentRead=True)
            .get("Item")
        )
        if item is None or not _is_live(item, now_s) or item.get("entity") != {"S": USER_ENTITY}:
            return None
        return item

    def create_user(self, body: dict[str, Any]) -> Response:
        email, name = body["email"].strip().lower(), body["name"]
        if not isinstance(name, str) or "@" not in email:
            raise ValueError("email and name")
        now = time.time()
        now_s, now_ms = int(now), int(now * 1000)
        user_id = str(uuid.uuid4())
        item = {
            "userId": {"S": user_id},
            "entity": {"S": USER_ENTITY},
            "listShard": {"S": _list_shard(user_id)},
            "email": {"S": email},
            "name": {"S": name},
            "createdAt": {"N": str(now_ms)},
            "updatedAt": {"N": str(now_ms)},
            "version": {"N": "1"},
        }
        guard = {"userId": {"S": GUARD_PREFIX + email}, "ownerId": {"S": user_id}}
        try:
            self._dynamodb().transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._users,
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(userId)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._users,
                            "Item": guard,
                            "ConditionExpression": "attribute_not_exists(userId) OR #ttl <= :now",
                            "ExpressionAttributeNames": {"#ttl": "ttl"},
                            "ExpressionAttributeValues": {":now": {"N": str(now_s)}},
                        }
                    },
                ]
            )
        except ClientError as exc:
            if _cancelled(exc):
                return _problem(409, "Another user already has this email.")
            raise
        headers = {"location": f"/users/{user_id}", "etag": '"1"'}
        return _json(201, _user_json(item), headers)

    def get_user(self, user_id: str) -> Response:
        item = self._get_user_item(user_id, int(time.time()))
        if item is None:
            return _problem(404, "There is no user with this id.")
        return _json(200, _user_json(item), {"etag": f'"{item["version"]["N"]}"'})

    def list_users(self, limit: int) -> Response:
        """Each list shard's newest limit + 1, merged newest first, with each shard's
        position (api/rules/paging.py's merged_page, without refills: nothing filters out
        the floor's users)."""
        if not 1 <= limit <= 100:
            raise ValueError("limit")
        now_s = str(int(time.time()))
        pages = [
            self._dynamodb().query(
                TableName=self._users,
                IndexName="listShard-index",
                KeyConditionExpression="#shard = :shard",
                FilterExpression=_LIVE,
                ExpressionAttributeNames={"#shard": "listShard", "#ttl": "ttl"},
                ExpressionAttributeValues={":shard": {"S": str(shard)}, ":now": {"N": now_s}},
                ScanIndexForward=False,
                Limit=limit + 1,
            )
            for shard in range(LIST_SHARDS)
        ]
        newest = sorted(
            (
                (_sort_key(item), shard, item)
                for shard, p in enumerate(pages)
                for item in p["Items"]
            ),
            key=lambda entry: entry[0],
            reverse=True,
        )[:limit]
        positions: list[Any] = []
        for shard, page in enumerate(pages):
            taken = [key for key, of, _ in newest if of == shard]
            if len(taken) < len(page["Items"]):
                positions.append(list(taken[-1]) if taken else None)
            elif "LastEvaluatedKey" in page:
                positions.append(list(_sort_key(page["LastEvaluatedKey"])))
            else:
                positions.append("done")
        cursor = None
        if any(p != "done" for p in positions):
            cursor = base64.urlsafe_b64encode(json.dumps({"shards": positions}).encode()).decode()
        items = [_user_json(item) for _, _, item in newest]
        return _json(200, {"items": items, "nextCursor": cursor})

    def update_user(self, user_id: str, body: dict[str, Any]) -> Response:
        now = time.time()
        now_s, now_ms = int(now), int(now * 1000)
        current = self._get_user_item(user_id, now_s)
        if current is None:
            return _problem(404, "There is no user with this id.")
        version = int(current["version"]["N"])
        new = dict(current)
        if "name" in body:
            new["name"] = {"S": body["name"]}
        new["updatedAt"] = {"N": str(max(now_ms, int(current["updatedAt"]["N"])))}
        new["version"] = {"N": str(version + 1)}
        try:
            self._dynamodb().transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._users,
                            "Item": new,
                            "ConditionExpression": f"#version = :version AND {_LIVE}",
                            "ExpressionAttributeNames": {"#version": "version", "#ttl": "ttl"},
                            "ExpressionAttributeValues": {
                                ":version": {"N": str(version)},
                                ":now": {"N": str(now_s)},
                            },
                        }
                    }
                ]
            )
        except ClientError as exc:
            if _cancelled(exc):
                return _problem(409, "The user changed meanwhile.")
            raise
        return _json(200, _user_json(new), {"etag": f'"{version + 1}"'})

    def delete_user(self, user_id: str) -> Response:
        now_s = int(time.time())
        current = self._get_user_item(user_id, now_s)
        if current is None:
            return _problem(404, "There is no user with this id.")
        try:
            self._dynamodb().transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self._users,
                            "Key": {"userId": current["userId"]},
                            "ConditionExpression": f"#version = :version AND {_LIVE}",
                            "ExpressionAttributeNames": {"#version": "version", "#ttl": "ttl"},
                            "ExpressionAttributeValues": {
                                ":version": current["version"],
                                ":now": {"N": str(now_s)},
                            },
                        }
                    },
                    {
                        "Delete": {
                            "TableName": self._users,
                            "Key": {"userId": {"S": GUARD_PREFIX + current["email"]["S"]}},
                            "ConditionExpression": "ownerId = :owner",
                            "ExpressionAttributeValues": {":owner": current["userId"]},
                        }
                    },
                ]
            )
        except ClientError as exc:
            if _cancelled(exc):
                return _problem(409, "The user changed meanwhile.")
            raise
        return {"statusCode": 204, "headers": {}, "body": "", "isBase64Encoded": False}

    # Assets: metadata in the table, bytes straight to and from S3 with presigned URLs.

    def create_asset(self, body: dict[str, Any], owner: str) -> Response:
        file_name, content_type, size = body["fileName"], body["contentType"], body["size"]
        if not isinstance(size, int) or not 0 <= size <= 100 * 1024 * 1024:
            raise ValueError("size")
        now = time.time()
        now_s, now_ms = int(now), int(now * 1000)
        asset_id = str(uuid.uuid4())
        key = f"assets/{asset_id}/{_safe_name(file_name)}"
        post = self._s3().generate_presigned_post(
            Bucket=self._bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]],
            ExpiresIn=self._upload_expires,
        )
        item = {
            "assetId": {"S": asset_id},
            "ownerId": {"S": owner},
            "entity": {"S": ASSET_ENTITY},
            "fileName": {"S": file_name},
            "contentType": {"S": content_type},
            "size": {"N": str(size)},
            "status": {"S": "pending"},
            "s3Key": {"S": key},
            "createdAt": {"N": str(now_ms)},
            "updatedAt": {"N": str(now_ms)},
            "ttl": {"N": str(now_s + ASSET_LIFETIME)},
            "version": {"N": "1"},
        }
        self._dynamodb().put_item(
            TableName=self._assets, Item=item, ConditionExpression="attribute_not_exists(assetId)"
        )
        upload = {
            "method": "POST",
            "url": post["url"],
            "fields": post["fields"],
            "expiresAt": _seconds(now_s + self._upload_expires),
        }
        return _json(
            201, {**_asset_json(item), "upload": upload}, {"location": f"/assets/{asset_id}"}
        )

    def _get_asset_item(self, asset_id: str) -> dict[str, Any] | None:
        now_s = int(time.time())
        item: dict[str, Any] | None = (
            self._dynamodb()
            .get_item(TableName=self._assets, Key={"assetId": {"S": asset_id}}, ConsistentRead=True)
            .get("Item")
        )
        if item is None or not _is_live(item, now_s):
            return None
        return self._confirm(item, now_s) if item["status"]["S"] == "pending" else item

    def _confirm(self, item: dict[str, Any], now_s: int) -> dict[str, Any]:
        """A pending asset whose object has arrived becomes uploaded (or rejected)."""
        try:
            head = self._s3().head_object(Bucket=self._bucket, Key=item["s3Key"]["S"])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return item
            raise
        matches = (
            head["ContentLength"] == int(item["size"]["N"])
            and head.get("ContentType") == (item["contentType"]["S"])
        )
        if not matches:
            self._s3().delete_object(Bucket=self._bucket, Key=item["s3Key"]["S"])
        version = int(item["version"]["N"])
        new = {
            **item,
            "status": {"S": "uploaded" if matches else "rejected"},
            "updatedAt": {"N": str(max(int(time.time() * 1000), int(item["updatedAt"]["N"])))},
            "version": {"N": str(version + 1)},
        }
        self._dynamodb().put_item(
            TableName=self._assets,
            Item=new,
            ConditionExpression="#version = :version AND #ttl > :now",
            ExpressionAttributeNames={"#version": "version", "#ttl": "ttl"},
            ExpressionAttributeValues={":version": item["version"], ":now": {"N": str(now_s)}},
        )
        return new

    def get_asset(self, asset_id: str) -> Response:
        item = self._get_asset_item(asset_id)
        if item is None:
            return _problem(404, "There is no asset with this id.")
        return _json(200, _asset_json(item))

    def download_asset(self, asset_id: str) -> Response:
        item = self._get_asset_item(asset_id)
        if item is None:
            return _problem(404, "There is no asset with this id.")
        if item["status"]["S"] != "uploaded":
            return _problem(409, "The asset's file has not been uploaded.")
        name = item["fileName"]["S"]
        url = self._s3().generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self._bucket,
                "Key": item["s3Key"]["S"],
                "ResponseContentType": item["contentType"]["S"],
                "ResponseContentDisposition": (
                    f'attachment; filename="{_safe_name(name)}"; '
                    f"filename*=UTF-8''{quote(name, safe='')}"
                ),
            },
            ExpiresIn=DOWNLOAD_SECONDS,
        )
        expires = _seconds(int(time.time()) + DOWNLOAD_SECONDS)
        return _json(200, {"url": url, "expiresAt": expires})


def _safe_name(name: str) -> str:
    safe = _UNSAFE.sub("_", name.rsplit("/", 1)[-1]).lstrip(".")[:100]
    return safe or "file"


def rate_limits_table() -> str | None:
    """The rate-limits table where the application counts requests (RATE_LIMIT_PER_MINUTE
    above 0, as deployed), or None where it does not."""
    if int(os.environ.get("RATE_LIMIT_PER_MINUTE") or 0) == 0:
        return None
    return os.environ.get("RATE_LIMITS_TABLE", "RateLimits")


@cache
def _dynamodb_client() -> Any:
    import boto3  # on first use, so that the fair floor (bench/fair_floor.py) never loads it

    return boto3.client(
        "dynamodb",
        region_name=os.environ.get("AWS_REGION"),
        endpoint_url=os.environ.get("AWS_ENDPOINT_URL"),
    )


@cache
def _s3_client() -> Any:
    # As the application's: SigV4 presigning, standard retries.
    import boto3

    config = Config(signature_version="s3v4", retries={"max_attempts": 3, "mode": "standard"})
    return boto3.client(
        "s3",
        region_name=os.environ.get("AWS_REGION"),
        endpoint_url=os.environ.get("AWS_ENDPOINT_URL"),
        config=config,
    )


# Clients are made on first use, once per process, as the application's are.
handler = FloorHandler(
    _dynamodb_client,
    _s3_client,
    users_table=os.environ.get("USERS_TABLE", "Users"),
    assets_table=os.environ.get("ASSETS_TABLE", "Assets"),
    bucket=os.environ.get("ASSETS_BUCKET", "assets"),
    rate_limits_table=rate_limits_table(),
)
