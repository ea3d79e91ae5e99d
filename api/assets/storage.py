"""Asset metadata in DynamoDB: the pynamodb model of the Assets table and the repository."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, cast

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, DoesNotExist, PutError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from api.assets.service import NO_SUCH_ASSET, Asset, AssetRepository, Status
from api.aws.dynamo import bind_model, newest_first
from api.aws.faults import error_code, translating_faults
from api.rules.errors import ConcurrentChange, NotFound
from api.rules.paging import bounded_page
from api.settings import Settings

ASSET_ENTITY = "asset"
CONDITION_FAILED = "ConditionalCheckFailedException"


class OwnerIndex(GlobalSecondaryIndex["AssetItem"]):
    """Each owner's assets, newest first: listing is a Query of the caller's partition."""

    class Meta:
        index_name = "ownerId-index"
        projection = AllProjection()

    owner_id = UnicodeAttribute(hash_key=True, attr_name="ownerId")
    created_at = NumberAttribute(range_key=True, attr_name="createdAt")


class AssetItem(Model):
    """An item of the Assets table."""

    class Meta:
        table_name = "Assets"

    asset_id = UnicodeAttribute(hash_key=True, attr_name="assetId")
    entity = UnicodeAttribute()
    # Absent only on items stored before assets had owners: no listing shows those.
    owner_id = UnicodeAttribute(null=True, attr_name="ownerId")
    file_name = UnicodeAttribute(attr_name="fileName")
    content_type = UnicodeAttribute(attr_name="contentType")
    size = NumberAttribute()
    status = UnicodeAttribute()
    s3_key = UnicodeAttribute(attr_name="s3Key")
    created_at = NumberAttribute(attr_name="createdAt")
    updated_at = NumberAttribute(attr_name="updatedAt")
    ttl = NumberAttribute()
    version = NumberAttribute()

    owner_index = OwnerIndex()


ASSETS_TABLE = "assets"


def bind_asset_table(settings: Settings) -> type[AssetItem]:
    """The AssetItem model bound to the assets table, region and endpoint in `settings`."""
    return bind_model(AssetItem, ASSETS_TABLE, settings)


class DynamoAssetRepository(AssetRepository):
    """Asset metadata in the DynamoDB Assets table, changed under version conditions."""

    def __init__(self, model: type[AssetItem]) -> None:
        self._model = model

    def _item(self, asset: Asset) -> AssetItem:
        return self._model(
            asset.asset_id,
            entity=ASSET_ENTITY,
            file_name=asset.file_name,
            content_type=asset.content_type,
            size=asset.size,
            status=asset.status,
            s3_key=asset.s3_key,
            created_at=asset.created_at,
            updated_at=asset.updated_at,
            ttl=asset.expires_at,
            version=asset.version,
            owner_id=asset.owner_id,
        )

    def _unchanged(self, asset: Asset) -> Condition:
        unchanged: Condition = self._model.version == asset.version
        return unchanged

    @translating_faults
    def add(self, asset: Asset) -> None:
        try:
            self._item(asset).save(condition=self._model.asset_id.does_not_exist())
        except PutError as exc:
            # A new id can only exist already if botocore retried after a timeout and the
            # first attempt had landed: PutItem has no idempotency token.
            if error_code(exc) != CONDITION_FAILED or self._stored(asset.asset_id) != asset:
                raise

    def _stored(self, asset_id: str) -> Asset | None:
        try:
            return _to_asset(self._model.get(asset_id, consistent_read=True))
        except DoesNotExist:
            return None

    @translating_faults
    def get(self, asset_id: str, now_s: int) -> Asset:
        asset = self._stored(asset_id)
        if asset is None or not asset.is_live(now_s):
            raise NotFound(NO_SUCH_ASSET)
        return asset

    @translating_faults
    def replace(self, current: Asset, new: Asset, now_s: int) -> None:
        with _unless_changed():
            self._item(new).save(condition=self._unchanged(current) & (self._model.ttl > now_s))

    @translating_faults
    def remove(self, current: Asset) -> None:
        try:
            with _unless_changed():
                self._item(current).delete(condition=self._unchanged(current))
        except ConcurrentChange:
            # Already gone, which is all a delete asks: a retry of this very DeleteItem
            # (which has no idempotency token) or another client's delete.
            if self._stored(current.asset_id) is not None:
                raise

    @translating_faults
    def find(
        self,
        owner_id: str,
        status: Status | None,
        limit: int,
        after: Mapping[str, Any] | None,
        now_s: int,
    ) -> tuple[list[Asset], dict[str, Any] | None]:
        model = self._model
        keep: Condition = model.ttl > now_s
        if status is not None:
            keep &= model.status == status
        read = newest_first(
            model,
            model.owner_index,
            ("ownerId", owner_id),
            "assetId",
            keep=keep,
            after=after,
            convert=_to_asset,
        )
        return bounded_page(
            read, limit, lambda asset: {"assetId": asset.asset_id, "createdAt": asset.created_at}
        )


@contextmanager
def _unless_changed() -> Iterator[None]:
    """A failed version condition becomes ConcurrentChange."""
    try:
        yield
    except (PutError, DeleteError) as exc:
        if error_code(exc) != CONDITION_FAILED:
            raise
        raise ConcurrentChange("The asset changed while this request was changing it.") from exc


def _to_asset(item: AssetItem) -> Asset:
    return Asset(
        asset_id=item.asset_id,
        file_name=item.file_name,
        content_type=item.content_type,
        size=int(item.size),
        status=cast(Status, item.status),
        s3_key=item.s3_key,
        created_at=int(item.created_at),
        updated_at=int(item.updated_at),
        expires_at=int(item.ttl),
        version=int(item.version),
        owner_id=item.owner_id,
    )
