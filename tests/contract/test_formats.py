"""Formats and patterns mean to the server what they mean in OpenAPI: `date-time` is all of
RFC 3339 section 5.6, and a `pattern` is an ECMA-262 regular expression, as Schemathesis (and
every generated client) reads it, not a Python one."""

from __future__ import annotations

import uuid
from typing import Any

import jsonschema_rs
import pytest

from contract.suite import Target
from tests.contract.targets import load_schema

schema = load_schema()
create_user = schema["/users"]["POST"]
USER_CREATE = schema.raw_schema["components"]["schemas"]["UserCreate"]


def created(target: Target, body: dict[str, Any]) -> int:
    case = create_user.Case(body=body, media_type="application/json")
    return case.call(**target.call_kwargs).status_code


def ecma_valid(body: dict[str, Any]) -> bool:
    """Whether `body` is a valid UserCreate with ECMA-262 patterns (Schemathesis' validator)."""
    properties = {
        name: schema.raw_schema["components"]["schemas"][ref["$ref"].rpartition("/")[2]]
        for name, ref in USER_CREATE["properties"].items()
    }
    resolved = {**USER_CREATE, "properties": properties}
    return bool(jsonschema_rs.validator_for(resolved, validate_formats=True).is_valid(body))


@pytest.mark.parametrize(
    "expires_at",
    [
        pytest.param("2099-12-31T23:59:59Z", id="plain"),
        pytest.param("2099-12-31T23:59:59.123456789+01:00", id="nanoseconds-and-offset"),
        pytest.param("2099-12-31t23:59:59z", id="lower-case-t-and-z"),
        pytest.param("2099-12-31T23:59:60Z", id="leap-second"),
        pytest.param("2099-12-31T15:59:60.5-08:00", id="leap-second-with-offset"),
    ],
)
def test_every_rfc_3339_form_of_a_future_expiry_is_accepted(target: Target, expires_at: str):
    body = {"email": "ada@example.com", "name": "Ada Lovelace", "expiresAt": expires_at}
    assert created(target, body) == 201


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Ada", id="letters"),
        pytest.param("\u00a0Ada\u3000", id="no-break-and-ideographic-spaces-around"),
        pytest.param("\u3000", id="only-an-ideographic-space"),
        pytest.param("\u0085", id="only-a-next-line"),
        pytest.param("Ada\u0085", id="a-next-line-after"),
        pytest.param("\ufeff", id="only-a-byte-order-mark"),
        pytest.param("Ada\ufeff", id="a-byte-order-mark-after"),
    ],
)
def test_a_name_is_accepted_exactly_when_its_pattern_holds_it_valid(target: Target, name: str):
    body = {"email": f"{uuid.uuid4().hex}@example.com", "name": name}
    assert created(target, body) == (201 if ecma_valid(body) else 400)
