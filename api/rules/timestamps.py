"""Instants: epoch numbers in the tables, RFC 3339 UTC strings in the API."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from api.rules.errors import InvalidRequest

_LEAP_SECOND = re.compile(r"([Tt]\d\d:\d\d:)60")
_LAST_SECOND = 253_402_300_799  # 9999-12-31T23:59:59Z, the last instant a datetime can show


def format_millis(epoch_ms: int) -> str:
    """2026-11-26T09:30:00.123Z"""
    instant = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


def format_seconds(epoch_s: int) -> str:
    """2026-11-26T09:30:00Z"""
    return datetime.fromtimestamp(epoch_s, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def without_leap_second(value: str) -> str:
    """RFC 3339 allows a leap second (:60), which Python's datetime cannot hold: it becomes
    the second before."""
    return _LEAP_SECOND.sub(r"\g<1>59", value)


def parse_to_seconds(value: str, field: str) -> int:
    """An RFC 3339 instant as epoch seconds, a fraction rounded up."""
    # RFC 3339 also allows a lower-case t and z, which fromisoformat does not.
    text = without_leap_second(value).upper()
    try:
        instant = datetime.fromisoformat(text)
        if instant.tzinfo is None:
            raise ValueError("no offset")
    except (ValueError, OverflowError) as exc:
        raise InvalidRequest(f"'{field}' is not an RFC 3339 date-time with an offset.") from exc
    seconds = math.ceil(instant.timestamp())
    if seconds > _LAST_SECOND:
        raise InvalidRequest(f"'{field}' lies after the year 9999 in UTC.")
    return seconds
