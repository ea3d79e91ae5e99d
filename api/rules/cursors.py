"""Opaque page cursors: a storage position bound to the query that produced it, signed with
a key of the deployment's so that a client can neither forge nor edit one."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from api.rules.errors import InvalidCursor

_VERSION = 2
# 128 bits of HMAC-SHA256: forging one takes about 2^128 online guesses.
TAG_BYTES = 16
# A key shorter than this is a typo or a placeholder, not a secret.
MIN_KEY_BYTES = 32
_NOT_ISSUED = "The cursor is not one this API issued."


def query_fingerprint(query: Mapping[str, Any]) -> str:
    """A short digest of a query's filters, so a cursor only continues the query it came from."""
    return hashlib.sha256(_canonical(query)).hexdigest()[:16]


def _canonical(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


class CursorCodec:
    """Issues cursors signed with the first of `keys` and accepts those signed with any of
    them (the previous key during a rotation)."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("a cursor codec needs at least one key")
        if any(len(key) < MIN_KEY_BYTES for key in keys):
            raise ValueError(f"cursor keys must be at least {MIN_KEY_BYTES} bytes long")
        self._keys = tuple(keys)

    @classmethod
    def with_random_key(cls) -> CursorCodec:
        """A codec whose cursors only it accepts: for a service built alone (tests, tools)."""
        return cls((secrets.token_bytes(MIN_KEY_BYTES),))

    def encode(self, query: Mapping[str, Any], position: Mapping[str, Any]) -> str:
        payload = _canonical({"v": _VERSION, "q": query_fingerprint(query), "p": dict(position)})
        return _spelling(payload + _tag(self._keys[0], payload))

    def decode(self, cursor: str, query: Mapping[str, Any]) -> dict[str, Any]:
        """The position in `cursor`; InvalidCursor unless this API issued it, unchanged, for
        this same query."""
        payload = self._verified(cursor)
        try:
            fields = json.loads(payload)
        except ValueError as exc:  # signed, so only if a key signed something else
            raise InvalidCursor(_NOT_ISSUED) from exc
        if (
            not isinstance(fields, dict)
            or set(fields) != {"v", "q", "p"}
            or fields["v"] != _VERSION
            or not isinstance(fields["p"], dict)
        ):
            raise InvalidCursor(_NOT_ISSUED)
        if fields["q"] != query_fingerprint(query):
            raise InvalidCursor("The cursor belongs to a query with other filters.")
        return fields["p"]

    def _verified(self, cursor: str) -> bytes:
        """The payload of `cursor` if its tag is one of our keys' over it."""
        try:
            signed = base64.urlsafe_b64decode(cursor.encode("ascii") + b"=" * (-len(cursor) % 4))
        except (ValueError, binascii.Error) as exc:
            raise InvalidCursor(_NOT_ISSUED) from exc
        # Only the one spelling we issue: no padding, no stray characters, no other final
        # character standing for the same bytes.
        if len(signed) <= TAG_BYTES or _spelling(signed) != cursor:
            raise InvalidCursor(_NOT_ISSUED)
        payload, tag = signed[:-TAG_BYTES], signed[-TAG_BYTES:]
        # Every key is tried, so the time taken does not tell which one nearly matched.
        matches = [hmac.compare_digest(tag, _tag(key, payload)) for key in self._keys]
        if not any(matches):
            raise InvalidCursor(_NOT_ISSUED)
        return payload


def _tag(key: bytes, payload: bytes) -> bytes:
    return hmac.digest(key, payload, "sha256")[:TAG_BYTES]


def _spelling(signed: bytes) -> str:
    return base64.urlsafe_b64encode(signed).rstrip(b"=").decode("ascii")
