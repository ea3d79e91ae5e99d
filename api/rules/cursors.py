"""Opaque page cursors: a storage position bound to the query that produced it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from api.rules.errors import InvalidCursor

_VERSION = 1


def query_fingerprint(query: Mapping[str, Any]) -> str:
    """A short digest of a query's filters, so a cursor only continues the query it came from."""
    canonical = json.dumps(query, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode_cursor(query: Mapping[str, Any], position: Mapping[str, Any]) -> str:
    payload = {"v": _VERSION, "q": query_fingerprint(query), "p": dict(position)}
    raw = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, query: Mapping[str, Any]) -> dict[str, Any]:
    """The position in `cursor`; InvalidCursor unless it was issued for this same query."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
    except (ValueError, binascii.Error) as exc:
        raise InvalidCursor("The cursor is not one this API issued.") from exc
    if (
        not isinstance(payload, dict)
        or set(payload) != {"v", "q", "p"}
        or payload["v"] != _VERSION
        or not isinstance(payload["p"], dict)
    ):
        raise InvalidCursor("The cursor is not one this API issued.")
    if payload["q"] != query_fingerprint(query):
        raise InvalidCursor("The cursor belongs to a query with other filters.")
    return payload["p"]
