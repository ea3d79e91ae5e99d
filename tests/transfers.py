"""What a client does with the presigned URLs: real HTTP to the emulator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx


def post(
    upload_ticket: dict[str, Any],
    data: bytes,
    *,
    fields: Mapping[str, str | None] | None = None,
) -> httpx.Response:
    """POST the file with the ticket's fields as multipart/form-data, the file last;
    `fields` changes some first (None drops one), as a client may."""
    sent = {**upload_ticket["fields"], **(fields or {})}
    form = {name: value for name, value in sent.items() if value is not None}
    file_type = form.get("Content-Type", "application/octet-stream")
    return httpx.post(
        upload_ticket["url"], data=form, files={"file": ("upload.bin", data, file_type)}, timeout=30
    )


def upload(upload_ticket: dict[str, Any], data: bytes, content_type: str | None = None) -> int:
    """POST the file with the ticket's fields, its Content-Type changed if given; the status."""
    changed = {} if content_type is None else {"Content-Type": content_type}
    return post(upload_ticket, data, fields=changed).status_code


def download(url: str) -> httpx.Response:
    return httpx.get(url, timeout=30)
