"""Instants: epoch numbers in the tables, RFC 3339 UTC strings in the API."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from api.errors import InvalidRequest

_LEAP_SECOND = re.compile(r"(T\d\d:\d\d:)60")
_LAST_SECOND = 253_402_300_799  # 9999-12-31T23:59:59Z, the last instant a datetime can show


def format_millis(epoch_ms: int) -> str:
    """2026-11-26T09:30:00.123Z"""
    instant = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


def format_seconds(epoch_s: int) -> str:
    """2026-11-26T09:30:00Z"""
    return datetime.fromtimestamp(epoch_s, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_to_seconds(value: str, field: str) -> int:
    """An RFC 3339 instant as epoch seconds, a fraction rounded up."""
    # RFC 3339 allows lower-case t/z and a leap second, which fromisoformat does not.
    text = _LEAP_SECOND.sub(r"\g<1>59", value.upper())
    try:
        instant = datetime.fromisoformat(text)
        if instant.tzinfo is None:
            raise ValueError("no offset")
        seconds = math.ceil(instant.timestamp())
        if seconds > _LAST_SECOND:
            raise ValueError("after year 9999")
        return seconds
    except (ValueError, OverflowError) as exc:
        raise InvalidRequest(f"'{field}' is not an RFC 3339 date-time with an offset.") from exc
