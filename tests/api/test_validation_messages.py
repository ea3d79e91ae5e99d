"""What a refused value is told: the field by its name and what it must be, in words (the
spec's `x-expected` for a pattern), never the pattern itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from api.rules.etags import is_entity_tag_list
from api.spec import load_spec
from api.web.messages import EXPECTED
from api.web.validation import ecma_pattern
from tests.api.problems import assert_problem


def patterned(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema of the spec that has a pattern, with where it is."""
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield where, node
        for name, value in node.items():
            yield from patterned(value, f"{where}/{name}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from patterned(value, f"{where}/{index}")


def test_every_pattern_of_the_spec_says_in_words_what_it_expects():
    schemas = list(patterned(load_spec()))
    assert schemas
    for where, schema in schemas:
        assert isinstance(schema.get(EXPECTED), str), f"{where} has a pattern without {EXPECTED}"


def test_a_bad_email_is_told_it_must_be_an_email_address_not_a_pattern(client):
    response = client.post("/users", json={"email": "nope", "name": "Ada"})

    body = assert_problem(response, 400, "the body: 'email' must be an email address")
    assert "\\x" not in body["detail"]
    assert "^" not in body["detail"]


def test_a_bad_idempotency_key_is_told_what_a_key_is(client):
    response = client.post(
        "/users",
        json={"email": "ada@example.com", "name": "Ada"},
        headers={"Idempotency-Key": "a b"},
    )
    assert_problem(
        response,
        400,
        "Idempotency-Key must be 1 to 255 printable ASCII characters (no space or quote)",
    )
    assert client.get("/users").json()["items"] == []


@pytest.mark.parametrize(
    "value",
    [
        '"3"',
        "*",
        ' "3" ',
        'W/"3"',
        '"3", "4"',
        '"3",\t W/"4"',
        '""',
        "3",
        '"3',
        "W/3",
        "**",
        '"3";"4"',
        '"3" "4"',
        '"3",',
        'w/"3"',
        '* , "3"',
        "",
        '"a b"',
    ],
)
def test_the_spec_s_entity_tags_are_the_ones_the_rules_read(value):
    pattern = load_spec()["components"]["schemas"]["EntityTags"]["pattern"]
    assert bool(ecma_pattern(pattern).search(value)) is is_entity_tag_list(value)
