"""What a client does with the presigned URLs: real HTTP to the emulator."""

from __future__ import annotations

from typing import Any

import httpx


def upload(upload_ticket: dict[str, Any], data: bytes, content_type: str | None = None) -> int:
    """POST the file with the ticket's fields as multipart/form-data, the file last."""
    fields = dict(upload_ticket["fields"])
    if content_type is not None:
        fields["Content-Type"] = content_type
    response = httpx.post(
        upload_ticket["url"],
        data=fields,
        files={"file": ("upload.bin", data, fields["Content-Type"])},
        timeout=30,
    )
    return response.status_code


def download(url: str) -> httpx.Response:
    return httpx.get(url, timeout=30)
