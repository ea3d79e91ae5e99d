"""Every example in openapi.yaml is valid against the schema it illustrates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from openapi_spec_validator.readers import read_from_filename

from api.paths import SPEC_PATH
from api.spec import HTTP_METHODS

SPEC, _ = read_from_filename(str(SPEC_PATH))
SCHEMA_CHILDREN = ("items", "additionalProperties", "not")
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")


def resolve(node: Any) -> Any:
    """`node` with every local `$ref` replaced by what it points at."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = SPEC
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return resolve(target)
        return {key: resolve(value) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(item) for item in node]
    return node


def schemas(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object in the schema `node`, itself included, with where it is."""
    if not isinstance(node, dict) or "$ref" in node:
        return
    yield where, node
    for name, child in (node.get("properties") or {}).items():
        yield from schemas(child, f"{where}/properties/{name}")
    for key in SCHEMA_CHILDREN:
        yield from schemas(node.get(key), f"{where}/{key}")
    for key in SCHEMA_LISTS:
        for index, child in enumerate(node.get(key) or []):
            yield from schemas(child, f"{where}/{key}/{index}")


def nodes(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from nodes(value, f"{where}/{str(key).replace('/', '~1')}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from nodes(value, f"{where}/{index}")


def examples() -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """(where, example, schema) for every example: of a schema, and of a media type, a
    parameter or a header (each example of `examples` too, components/examples included)."""
    for where, node in nodes(SPEC):
        is_component = where.startswith("#/components/schemas/") and where.count("/") == 3
        if is_component or where.endswith("/schema"):
            for place, schema in schemas(node, where):
                if "example" in schema:
                    yield f"{place}/example", schema["example"], schema
        if isinstance(node.get("schema"), dict):
            if "example" in node:
                yield f"{where}/example", node["example"], node["schema"]
            for name, example in (node.get("examples") or {}).items():
                yield f"{where}/examples/{name}", resolve(example)["value"], node["schema"]


EXAMPLES = list(examples())


@pytest.mark.parametrize(
    ("example", "schema"),
    [pytest.param(example, schema, id=where) for where, example, schema in EXAMPLES],
)
def test_every_example_is_valid_against_its_own_schema(example, schema):
    validator = OAS30Validator(resolve(schema), format_checker=oas30_format_checker)
    errors = [f"{error.json_path}: {error.message}" for error in validator.iter_errors(example)]
    assert not errors


def test_every_operation_shows_an_example_of_its_request_body_and_of_each_response():
    found = {where.partition("/example")[0] for where, _, _ in EXAMPLES}
    missing = []
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            escaped = path.replace("/", "~1")
            bodies = [
                (f"#/paths/{escaped}/{method}/requestBody", operation.get("requestBody")),
                *(
                    (f"#/paths/{escaped}/{method}/responses/{status}", response)
                    for status, response in operation["responses"].items()
                ),
            ]
            for where, body in bodies:
                if body is None:
                    continue
                if "$ref" in body:
                    where, body = body["$ref"], resolve(body)
                for media_type in body.get("content") or {}:
                    if f"{where}/content/{media_type.replace('/', '~1')}" not in found:
                        missing.append(f"{method.upper()} {path}: {where} {media_type}")
    assert not missing


def test_every_component_example_is_shown_somewhere():
    text = SPEC_PATH.read_text(encoding="utf-8")
    unused = [
        name
        for name in SPEC["components"].get("examples", {})
        if f'"#/components/examples/{name}"' not in text
    ]
    assert not unused
