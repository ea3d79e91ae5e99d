"""Validation errors in words, for the client: which field, what it must be, in JSON terms
(null, true, "text"; never a Python repr), without echoing the value, and bounded."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

MAX_DETAIL = 300
# A schema may say in words what its pattern means: `x-expected: an email address`.
EXPECTED = "x-expected"
_TYPES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "object": "a JSON object",
    "array": "a JSON array",
    "null": "null",
}
_FORMATS = {
    "date-time": "an RFC 3339 date-time with an offset, such as 2030-01-01T00:00:00Z",
    "uuid": "a UUID",
}


_INVISIBLE = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def bounded(text: str, limit: int = MAX_DETAIL) -> str:
    """`text` cut to `limit` characters, with every invisible character (controls, line
    breaks, bidi and other format characters, which a name the client sent may hold) shown
    as its \\u escape, so that a detail reads as what it is and cannot spoof another."""
    shown = "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in _INVISIBLE else c for c in text
    )
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def json_text(value: Any, limit: int = 40) -> str:
    """`value` as JSON, cut to `limit` characters."""
    return bounded(json.dumps(value, ensure_ascii=False), limit)


def _one_of(values: Iterable[Any]) -> str:
    return ", ".join(json_text(v) for v in values)


def _types(names: Any) -> str:
    names = [names] if isinstance(names, str) else list(names)
    return " or ".join(_TYPES.get(name, name) for name in names)


def expectation(error: ValidationError) -> str:
    """What the failing keyword asks of the value, in words."""
    keyword, expected, schema = error.validator, error.validator_value, error.schema
    if keyword == "type":
        return f"must be {_types(expected)}"
    if keyword == "pattern":
        words = schema.get(EXPECTED) if isinstance(schema, dict) else None
        return f"must be {words}" if words else "is not in the form this field takes"
    if keyword == "format":
        return f"must be {_FORMATS.get(str(expected), f'in the format {expected}')}"
    if keyword == "enum":
        return f"must be one of {_one_of(expected)}"
    if keyword == "maxLength":
        return f"must be at most {expected} characters long"
    if keyword == "minLength":
        return f"must be at least {expected} characters long"
    if keyword == "maximum":
        return f"must be at most {expected}"
    if keyword == "minimum":
        return f"must be at least {expected}"
    if keyword == "maxItems":
        return f"must hold at most {expected} items"
    if keyword == "minProperties":
        return f"must have at least {expected} member{'s' if expected != 1 else ''}"
    return "is not valid here"


def _member_path(path: Iterable[Any]) -> str:
    return "".join(
        f"[{p}]" if isinstance(p, int) else ("." if i else "") + str(p) for i, p in enumerate(path)
    )


def describe(error: ValidationError, subject: str) -> str:
    """One sentence for `error`, `subject` naming what was validated ("the body", "query
    parameter 'limit'"): "the body: 'email' must be at most 254 characters long"."""
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in (error.instance or {})]
        where = _member_path(error.absolute_path)
        owner = f"'{where}'" if where else subject
        text = f"{owner} lacks the required member {_one_of(missing[:1])}"
    elif error.validator == "additionalProperties":
        allowed = set((error.schema or {}).get("properties", {}))
        extra = sorted(name for name in error.instance if name not in allowed)
        where = _member_path(error.absolute_path)
        owner = f"'{where}'" if where else subject
        text = f"{owner} has a member this API does not take: {_one_of(extra[:3])}"
    else:
        where = _member_path(error.absolute_path)
        text = (
            f"{subject}: '{where}' {expectation(error)}"
            if where
            else (f"{subject} {expectation(error)}")
        )
    return bounded(text)


def first_error(errors: Iterable[ValidationError]) -> ValidationError | None:
    """The error that best explains why validation failed, or None."""
    error: ValidationError | None = best_match(errors)
    return error
