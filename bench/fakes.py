"""Zero-latency storage for measuring the request path alone.

The repositories and the object storage subclass the application's interfaces, and the
clients stand in for boto3's under the floor, so that both handlers run with a backend
that costs (next to) nothing. Lookups are dict accesses and a listing walks only the
page it returns; conditions are not checked beyond what the benchmark's requests need.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from api.assets import Asset, AssetRepository, ObjectStorage, Status, StoredObject
from api.errors import EmailTaken, NotFound
from api.users import User, UserQuery, UserRepository

FAKE_URL = "https://assets.s3.amazonaws.com/"


class InMemoryUserRepository(UserRepository):
    """Users in a dict, newest last, with their emails in another."""

    def __init__(self) -> None:
        self._users: dict[str, User] = {}
        self._owners: dict[str, str] = {}

    def add(self, user: User, now_s: int) -> None:
        if user.email in self._owners:
            raise EmailTaken("Another user already has this email.")
        self._users[user.user_id] = user
        self._owners[user.email] = user.user_id

    def get(self, user_id: str, now_s: int) -> User:
        user = self._users.get(user_id)
        if user is None or not user.is_live(now_s):
            raise NotFound("There is no user with this id.")
        return user

    def replace(self, current: User, new: User, now_s: int) -> None:
        if new.email != current.email:
            del self._owners[current.email]
            self._owners[new.email] = new.user_id
        self._users[new.user_id] = new

    def remove(self, current: User, now_s: int) -> None:
        del self._users[current.user_id]
        del self._owners[current.email]

    def find(
        self, query: UserQuery, limit: int, after: Mapping[str, Any] | None, now_s: int
    ) -> tuple[list[User], dict[str, Any] | None]:
        page: list[User] = []
        for user in reversed(self._users.values()):
            if user.is_live(now_s) and query.department in (None, user.department):
                page.append(user)
                if len(page) > limit:
                    last = page[limit - 1]
                    return page[:limit], {"userId": last.user_id, "createdAt": last.created_at}
        return page, None


class InMemoryAssetRepository(AssetRepository):
    """Asset metadata in a dict, newest last."""

    def __init__(self) -> None:
        self._assets: dict[str, Asset] = {}

    def add(self, asset: Asset) -> None:
        self._assets[asset.asset_id] = asset

    def get(self, asset_id: str, now_s: int) -> Asset:
        asset = self._assets.get(asset_id)
        if asset is None or not asset.is_live(now_s):
            raise NotFound("There is no asset with this id.")
        return asset

    def replace(self, current: Asset, new: Asset, now_s: int) -> None:
        self._assets[new.asset_id] = new

    def remove(self, current: Asset) -> None:
        del self._assets[current.asset_id]

    def find(
        self, status: Status | None, limit: int, after: Mapping[str, Any] | None, now_s: int
    ) -> tuple[list[Asset], dict[str, Any] | None]:
        page = [a for a in reversed(self._assets.values()) if status in (None, a.status)]
        return page[:limit], None


class InMemoryObjectStorage(ObjectStorage):
    """A bucket in a dict of key -> StoredObject; presigned URLs are constants."""

    def __init__(self) -> None:
        self.objects: dict[str, StoredObject] = {}

    def presign_upload(
        self, key: str, content_type: str, size: int, expires_in: int
    ) -> tuple[str, dict[str, str]]:
        return FAKE_URL, {"key": key, "Content-Type": content_type}

    def presign_download(
        self, key: str, content_type: str, disposition: str, expires_in: int
    ) -> str:
        return FAKE_URL + key

    def head(self, key: str) -> StoredObject | None:
        return self.objects.get(key)

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)


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

    def transact_write_items(self, *, TransactItems: list[dict[str, Any]]) -> dict[str, Any]:
        for action in TransactItems:
            if "Put" in action:
                self.put_item(**{k: action["Put"][k] for k in ("TableName", "Item")})
            else:
                delete = action["Delete"]
                self._table(delete["TableName"]).pop(self._key(delete["Key"]), None)
        return {}

    def query(self, *, TableName: str, Limit: int, **_: Any) -> dict[str, Any]:
        items: list[dict[str, Any]] = []
        for item in reversed(self._table(TableName).values()):
            if "entity" in item:
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
