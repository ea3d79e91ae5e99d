"""The assets operations Connexion calls: each unpacks its arguments, makes one service call
and shapes the answer."""

from __future__ import annotations

from typing import Any

from connexion import request
from starlette.responses import Response

from api.assets.service import Asset, AssetService, PresignedPost
from api.rules.timestamps import format_millis, format_seconds
from api.web.idempotency import IdempotentRequests, Outcome, idempotency_key, response
from api.web.identity import caller
from api.web.responses import JSON, Operation, no_content


def asset_json(asset: Asset) -> dict[str, Any]:
    # An asset stored before assets had owners has none: only administrators see it.
    owner = {} if asset.owner_id is None else {"ownerId": asset.owner_id}
    return {
        "assetId": asset.asset_id,
        **owner,
        "fileName": asset.file_name,
        "contentType": asset.content_type,
        "size": asset.size,
        "status": asset.status,
        "createdAt": format_millis(asset.created_at),
        "updatedAt": format_millis(asset.updated_at),
        "expiresAt": format_seconds(asset.expires_at),
    }


def upload_json(upload: PresignedPost) -> dict[str, Any]:
    return {
        "method": "POST",
        "url": upload.url,
        "fields": upload.fields,
        "expiresAt": format_seconds(upload.expires_at),
    }


def created_json(asset: Asset, upload: PresignedPost | None) -> dict[str, Any]:
    """POST /assets' body: the asset, and its upload while it is pending."""
    return asset_json(asset) | ({} if upload is None else {"upload": upload_json(upload)})


def asset_operations(assets: AssetService, idempotency: IdempotentRequests) -> dict[str, Operation]:
    """The assets operations of openapi.yaml, by operationId."""

    def created(body: dict[str, Any]) -> Outcome:
        asset, upload = assets.create(caller(), body["fileName"], body["contentType"], body["size"])
        headers = {**JSON, "Location": f"/assets/{asset.asset_id}"}
        return Outcome(created_json(asset, upload), 201, headers)

    def as_it_is_now(outcome: Outcome) -> Outcome:
        """A replay answers the asset as it is now: never an upload URL that may have
        expired, nor one for an asset whose file is settled, nor a 201 for one that is gone."""
        asset, upload = assets.resume(caller(), outcome.body["assetId"])
        return Outcome(created_json(asset, upload), outcome.status, outcome.headers)

    def create_asset(body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        key = idempotency_key(request.headers.get("idempotency-key"))
        outcome, replayed = idempotency.run(
            "createAsset", caller(), key, body, lambda: created(body)
        )
        return response(as_it_is_now(outcome) if replayed else outcome, replayed)

    def list_assets(
        limit: int = 20, cursor: str | None = None, status: Any = None
    ) -> tuple[dict[str, Any], int, dict[str, str]]:
        page = assets.list(caller(), status, limit, cursor)
        body = {"items": [asset_json(a) for a in page.items], "nextCursor": page.next_cursor}
        return body, 200, JSON

    def get_asset(asset_id: str) -> tuple[dict[str, Any], int, dict[str, str]]:
        return asset_json(assets.get(caller(), asset_id)), 200, JSON

    def download_asset(asset_id: str) -> tuple[dict[str, Any], int, dict[str, str]]:
        download = assets.download(caller(), asset_id)
        return {"url": download.url, "expiresAt": format_seconds(download.expires_at)}, 200, JSON

    def delete_asset(asset_id: str) -> Response:
        assets.delete(caller(), asset_id)
        return no_content()

    return {
        "createAsset": create_asset,
        "listAssets": list_assets,
        "getAsset": get_asset,
        "downloadAsset": download_asset,
        "deleteAsset": delete_asset,
    }
