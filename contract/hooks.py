"""Schemathesis hooks: the rules of openapi.yaml that a JSON Schema cannot state.

A request Schemathesis generates as *valid* (positive) must be one the contract promises to
accept. Three rules of the contract live in its prose, not in its schemas, so a schema-valid
request can still break them and be refused, rightly:

- `expiresAt` must lie in the future (400 otherwise);
- a `cursor` must be a `nextCursor` this API issued, used with the filters it was issued for
  (400 otherwise);
- an `Idempotency-Key` used again must come with the same body (422 otherwise), and is then
  a retry, answered with the first response even if that resource has gone since.

These hooks keep positive requests inside those rules, making each a new request rather than
a retry, and do nothing else: negative requests are left alone and every check stays on.
`schemathesis.toml` loads this module, so the pytest suite, `python -m contract` and a plain
`schemathesis run` from the repository root generate alike.
"""

from __future__ import annotations

import re
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import schemathesis
from schemathesis import Case, GenerationMode, HookContext, Response

GeneratedCase = Case[Any]

# Positive expiries are moved at least this far ahead, so that no user expires mid-run.
_EXPIRY_MARGIN = timedelta(days=1)
# A leap year far ahead: any month, day and time of a generated instant stays a valid date.
_FUTURE_YEAR = "2400"
_EXPIRING_BODIES = {"createUser", "updateUser"}
_LISTINGS = {"listUsers": ("email", "department"), "listAssets": ("status",)}
_IDEMPOTENCY_KEY = "Idempotency-Key"
_MAX_KEY_LENGTH = 255
_YEAR = re.compile(r"^\d{4}")
_LEAP_SECOND = re.compile(r"(T\d\d:\d\d:)60")

# Every `nextCursor` a response has carried, with the filters of the listing that issued it.
_issued_cursors: dict[str, dict[str, Any]] = {}
_issued_lock = threading.Lock()


def operation_id(case: GeneratedCase) -> str | None:
    """The operationId of the operation `case` calls."""
    return case.operation.definition.raw.get("operationId")  # type: ignore[no-any-return]


def is_positive(case: GeneratedCase) -> bool:
    """Whether Schemathesis generated `case` as valid data."""
    return case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE


def future_instant(value: str, now: datetime) -> str:
    """`value`, an RFC 3339 date-time, moved to the year 2400 unless it is already later than
    a day from `now`; its month, day, time, fraction and offset are kept as generated."""
    try:
        instant = datetime.fromisoformat(_LEAP_SECOND.sub(r"\g<1>59", value.upper()))
    except ValueError:
        return value  # Not a date-time Python reads: the server's parser decides, untouched.
    if instant.tzinfo is not None and instant > now + _EXPIRY_MARGIN:
        return value
    return _YEAR.sub(_FUTURE_YEAR, value, count=1)


def unique_key(key: str) -> str:
    """`key` made unique to this request, keeping its form (quoted or not) and length limit."""
    suffix = f"-{uuid.uuid4().hex}"
    opening = '"' if key.startswith('"') else ""
    closing = '"' if len(key) > 1 and key.endswith('"') else ""
    inner = key[len(opening) : len(key) - len(closing)]
    return f"{opening}{inner[: _MAX_KEY_LENGTH - len(suffix)]}{suffix}{closing}"


@schemathesis.hook
def before_call(context: HookContext, case: GeneratedCase, kwargs: dict[str, Any]) -> None:
    """Applies to every phase (examples included) and to stateful steps after their links."""
    if not is_positive(case):
        return
    operation = operation_id(case)
    if operation in _EXPIRING_BODIES and isinstance(case.body, dict):
        expires_at = case.body.get("expiresAt")
        if isinstance(expires_at, str):
            case.body["expiresAt"] = future_instant(expires_at, datetime.now(UTC))
    if operation in _LISTINGS and isinstance(case.query, dict) and "cursor" in case.query:
        with _issued_lock:
            filters = _issued_cursors.get(str(case.query["cursor"]))
        if filters is None:
            del case.query["cursor"]  # Not one the API issued: no valid request carries it.
        else:
            for name in _LISTINGS[operation]:
                case.query.pop(name, None)
            case.query.update(filters)
    if case.headers and _IDEMPOTENCY_KEY in case.headers:
        # A generated request is a new request, not a retry of an earlier one.
        case.headers[_IDEMPOTENCY_KEY] = unique_key(case.headers[_IDEMPOTENCY_KEY])


@schemathesis.hook
def after_call(context: HookContext, case: GeneratedCase, response: Response) -> None:
    operation = operation_id(case)
    if operation not in _LISTINGS or response.status_code != 200:
        return
    try:
        cursor = response.json().get("nextCursor")
    except (ValueError, AttributeError):
        return
    if isinstance(cursor, str):
        query = case.query if isinstance(case.query, dict) else {}
        filters = {name: query[name] for name in _LISTINGS[operation] if name in query}
        with _issued_lock:
            _issued_cursors[cursor] = filters
