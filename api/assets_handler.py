"""The assets Lambda function: the assets operations Connexion calls (thin), and S3's
ObjectCreated events for uploaded files."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from connexion import request
from starlette.responses import Response
from starlette.types import ASGIApp

from api.assets import Asset, AssetService, PresignedPost
from api.http import JSON, no_content
from api.idempotency import IdempotentRequests, Outcome, idempotency_key, response
from api.lambda_entry import lambda_handler
from api.settings import Settings
from api.timestamps import format_millis, format_seconds

if TYPE_CHECKING:
    from api.app import Operation


def asset_json(asset: Asset) -> dict[str, Any]:
    return {
        "assetId": asset.asset_id,
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


def asset_operations(assets: AssetService, idempotency: IdempotentRequests) -> dict[str, Operation]:
    """The assets operations of openapi.yaml, by operationId."""

    def created(body: dict[str, Any]) -> Outcome:
        asset, upload = assets.create(body["fileName"], body["contentType"], body["size"])
        headers = {**JSON, "Location": f"/assets/{asset.asset_id}"}
        return Outcome({**asset_json(asset), "upload": upload_json(upload)}, 201, headers)

    def with_fresh_upload(outcome: Outcome) -> Outcome:
        """A replay never hands back an upload URL that may have expired: it signs anew."""
        body = outcome.body
        upload = assets.renew_upload(
            body["upload"]["fields"]["key"], body["contentType"], body["size"]
        )
        return Outcome({**body, "upload": upload_json(upload)}, outcome.status, outcome.headers)

    def create_asset(body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        key = idempotency_key(request.headers.get("idempotency-key"))
        outcome, replayed = idempotency.run("createAsset", key, body, lambda: created(body))
        return response(with_fresh_upload(outcome) if replayed else outcome, replayed)

    def list_assets(
        limit: int = 20, cursor: str | None = None, status: Any = None
    ) -> tuple[dict[str, Any], int, dict[str, str]]:
        page = assets.list(status, limit, cursor)
        body = {"items": [asset_json(a) for a in page.items], "nextCursor": page.next_cursor}
        return body, 200, JSON

    def get_asset(asset_id: str) -> tuple[dict[str, Any], int, dict[str, str]]:
        return asset_json(assets.get(asset_id)), 200, JSON

    def download_asset(asset_id: str) -> tuple[dict[str, Any], int, dict[str, str]]:
        download = assets.download(asset_id)
        return {"url": download.url, "expiresAt": format_seconds(download.expires_at)}, 200, JSON

    def delete_asset(asset_id: str) -> Response:
        assets.delete(asset_id)
        return no_content()

    return {
        "createAsset": create_asset,
        "listAssets": list_assets,
        "getAsset": get_asset,
        "downloadAsset": download_asset,
        "deleteAsset": delete_asset,
    }


def handle_s3_event(assets: AssetService, event: dict[str, Any]) -> dict[str, Any]:
    """Confirm or reject the asset of each ObjectCreated record; others are ignored."""
    handled = 0
    for record in event.get("Records", []):
        if record.get("eventSource") != "aws:s3" or not str(record.get("eventName", "")).startswith(
            "ObjectCreated:"
        ):
            continue
        # S3 event keys are URL-encoded, with spaces as "+".
        assets.object_created(unquote_plus(record["s3"]["object"]["key"]))
        handled += 1
    return {"handled": handled}


@cache
def _assets() -> AssetService:
    from api.app import dynamo_asset_service  # the composition root imports this module

    return dynamo_asset_service(Settings.from_env())


def _build_app() -> ASGIApp:
    from api.app import create_app

    return create_app(Settings.from_env(), assets=_assets(), lambda_runtime=True)


handler = lambda_handler(_build_app, s3_events=lambda event: handle_s3_event(_assets(), event))
