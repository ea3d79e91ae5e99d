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
a retry. And where Schemathesis' coverage phase finds no valid value for an optional header
(it cannot draw from the entity tags' pattern of If-Match and If-None-Match), it puts an
invalid one (`0`) in cases it still labels positive: an optional header that its own schema
refuses is left out of a positive case, which is what the label says the case is. The hooks
do nothing else: negative requests are left alone and every check stays on.
The rules are found in the spec, not in a list of operations: a body's `expiresAt`, a
listing's `cursor` and the filters beside it (its query parameters but `cursor` and `limit`),
any `Idempotency-Key` header. `contract/schemathesis.toml` loads this module, so the suite
run through `python -m contract`, the in-process suites of the repository's tests and a
plain `schemathesis --config-file contract/schemathesis.toml run` generate alike.
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
_EXPIRY_FIELD = "expiresAt"
# Query parameters of a listing that page rather than filter it.
_PAGING = {"cursor", "limit"}
_IDEMPOTENCY_KEY = "Idempotency-Key"
_MAX_KEY_LENGTH = 255
_YEAR = re.compile(r"^\d{4}")
_LEAP_SECOND = re.compile(r"(T\d\d:\d\d:)60")

# Every `nextCursor` a response has carried, with the filters of the listing that issued it.
_issued_cursors: dict[str, dict[str, Any]] = {}
_issued_lock = threading.Lock()


def listing_filters(case: GeneratedCase) -> tuple[str, ...] | None:
    """The filters of the listing `case` calls (its query parameters besides the cursor and
    the page size), or None if the operation takes no cursor."""
    query = case.operation.query
    if "cursor" not in query:
        return None
    return tuple(parameter.name for parameter in query if parameter.name not in _PAGING)


def is_positive(case: GeneratedCase) -> bool:
    """Whether Schemathesis generated `case` as valid data."""
    return case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE


def without_invalid_optional_headers(case: GeneratedCase) -> None:
    """Leaves out of `case` each optional header whose value the header's schema refuses."""
    if not case.headers:
        return
    validator = case.operation.schema.adapter.jsonschema_validator_cls
    for parameter in case.operation.headers:
        value = case.headers.get(parameter.name)
        if (
            value is not None
            and not parameter.is_required
            and not parameter.admits(value, validator)
        ):
            del case.headers[parameter.name]


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
    without_invalid_optional_headers(case)
    body = case.body
    if isinstance(body, dict) and isinstance(expires_at := body.get(_EXPIRY_FIELD), str):
        body[_EXPIRY_FIELD] = future_instant(expires_at, datetime.now(UTC))
    names = listing_filters(case)
    if names is not None and isinstance(case.query, dict) and "cursor" in case.query:
        with _issued_lock:
            filters = _issued_cursors.get(str(case.query["cursor"]))
        if filters is None:
            del case.query["cursor"]  # Not one the API issued: no valid request carries it.
        else:
            for name in names:
                case.query.pop(name, None)
            case.query.update(filters)
    if case.headers and _IDEMPOTENCY_KEY in case.headers:
        # A generated request is a new request, not a retry of an earlier one.
        case.headers[_IDEMPOTENCY_KEY] = unique_key(case.headers[_IDEMPOTENCY_KEY])


@schemathesis.hook
def after_call(context: HookContext, case: GeneratedCase, response: Response) -> None:
    names = listing_filters(case)
    if names is None or response.status_code != 200:
        return
    try:
        cursor = response.json().get("nextCursor")
    except (ValueError, AttributeError):
        return
    if isinstance(cursor, str):
        query = case.query if isinstance(case.query, dict) else {}
        filters = {name: query[name] for name in names if name in query}
        with _issued_lock:
            _issued_cursors[cursor] = filters
