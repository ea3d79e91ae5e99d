"""Zero-latency stand-ins for the floor's boto3 clients.

The application's functions run on dev/fakes.py's repositories and object storage; the
floor, which calls boto3 clients directly, runs on these, so that both handlers run with a
backend that costs (next to) nothing. Lookups are dict accesses and a listing walks only
the page it returns; conditions are not checked beyond what the benchmark's requests need.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

FAKE_URL = "https://assets.s3.amazonaws.com/"


class FakeDynamoDBClient:
    """The few DynamoDB client calls the floor makes, on dicts of items by table."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, dict[str, Any]]] = {}

    def _table(self, name: str) -> dict[str, dict[str, Any]]:
        return self.tables.setdefault(name, {})

    @staticmethod
    def _key(key: Mapping[str, Any]) -> str:
        return str(next(iter(key.values()))["S"])

    def get_item(self, *, TableName: str, Key: Mapping[str, Any], **_: Any) -> dict[str, Any]:
        item = self._table(TableName).get(self._key(Key))
        return {} if item is None else {"Item": item}

    def put_item(self, *, TableName: str, Item: dict[str, Any], **_: Any) -> dict[str, Any]:
        self._table(TableName)[self._key(Item)] = Item
        return {}

    def update_item(self, *, TableName: str, Key: Mapping[str, Any], **_: Any) -> dict[str, Any]:
        """The rate limit's count: the item's `hits` plus one."""
        item = self._table(TableName).setdefault(self._key(Key), {**Key, "hits": {"N": "0"}})
        item["hits"] = {"N": str(int(item["hits"]["N"]) + 1)}
        return {"Attributes": item}

    def transact_write_items(self, *, TransactItems: list[dict[str, Any]]) -> dict[str, Any]:
        for action in TransactItems:
            if "Put" in action:
                self.put_item(**{k: action["Put"][k] for k in ("TableName", "Item")})
            else:
                delete = action["Delete"]
                self._table(delete["TableName"]).pop(self._key(delete["Key"]), None)
        return {}

    def query(
        self, *, TableName: str, Limit: int, ExpressionAttributeValues: Any, **_: Any
    ) -> dict[str, Any]:
        """The newest users of the list shard the query names (the floor's one query)."""
        shard = ExpressionAttributeValues[":shard"]
        items: list[dict[str, Any]] = []
        for item in reversed(self._table(TableName).values()):
            if item.get("listShard") == shard:
                items.append(item)
                if len(items) == Limit:
                    break
        return {"Items": items}


class FakeS3Client:
    """The few S3 client calls the floor makes; objects are (size, content type)."""

    def __init__(self) -> None:
        self.objects: dict[str, tuple[int, str]] = {}

    def generate_presigned_post(self, *, Key: str, Fields: dict[str, str], **_: Any) -> Any:
        return {"url": FAKE_URL, "fields": {"key": Key, **Fields}}

    def generate_presigned_url(self, operation: str, *, Params: dict[str, Any], **_: Any) -> str:
        return FAKE_URL + str(Params["Key"])

    def head_object(self, *, Key: str, **_: Any) -> dict[str, Any]:
        if Key not in self.objects:
            raise ClientError({"Error": {"Code": "404"}}, "HeadObject")
        size, content_type = self.objects[Key]
        return {"ContentLength": size, "ContentType": content_type}

    def delete_object(self, *, Key: str, **_: Any) -> dict[str, Any]:
        self.objects.pop(Key, None)
        return {}
