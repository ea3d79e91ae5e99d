"""S3's ObjectCreated notifications for the assets bucket's uploads: each confirms or rejects
its pending asset, and an upload that comes too late (the asset settled or gone) is deleted."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from api.assets.service import AssetService


def handle_s3_event(assets: AssetService, event: dict[str, Any]) -> dict[str, Any]:
    """Hand each ObjectCreated record's key to the service; other records are ignored."""
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
