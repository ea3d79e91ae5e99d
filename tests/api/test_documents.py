"""The spec and the docs page, served by the users function on Lambda as locally: without
credentials, cacheable, the docs naming every operation."""

from __future__ import annotations

import base64
import json

import pytest
import yaml

from api.functions.builders import users_function
from api.paths import SPEC_PATH
from api.spec import load_spec, operations
from api.web.docs import DOCS_PATH, DOCUMENT_CACHE_CONTROL, SPEC_JSON_PATH, SPEC_YAML_PATH
from tests.events import FakeLambdaContext, make_http_event


@pytest.fixture
def handler(settings):
    return users_function(settings)


def get(handler, path, method="GET"):
    response = handler(make_http_event(method=method, path=path), FakeLambdaContext())
    body = response.get("body") or ""
    if response.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return response["statusCode"], response["headers"], body


def test_the_lambda_function_serves_the_authored_spec_as_json_and_yaml(handler):
    status, headers, body = get(handler, SPEC_JSON_PATH)
    assert (status, headers["content-type"]) == (200, "application/json")
    assert json.loads(body) == load_spec()
    status, headers, body = get(handler, SPEC_YAML_PATH)
    assert (status, headers["content-type"]) == (200, "application/yaml")
    assert yaml.safe_load(body) == yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def test_the_docs_page_names_every_operation_and_runs_no_script(handler):
    status, headers, body = get(handler, DOCS_PATH)
    assert (status, headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert headers["content-security-policy"].startswith("default-src 'none'")
    assert "<script" not in body
    for method, path, operation, _ in operations(load_spec()):
        row = f"<td><code>{method}</code></td><td><code>{path}</code></td>"
        assert row in body
        assert f"<code>{operation['operationId']}</code>" in body
    assert f'href="{SPEC_JSON_PATH}"' in body


@pytest.mark.parametrize("path", [SPEC_JSON_PATH, SPEC_YAML_PATH, DOCS_PATH])
def test_each_document_may_be_cached_and_has_a_request_id(handler, path):
    status, headers, _ = get(handler, path)
    assert status == 200
    assert headers["cache-control"] == DOCUMENT_CACHE_CONTROL
    assert headers["x-request-id"] == "apigw-request-1"


def test_a_head_of_a_document_has_its_length_and_no_body(handler):
    _, full, body = get(handler, DOCS_PATH)
    status, headers, empty = get(handler, DOCS_PATH, method="HEAD")
    assert (status, empty) == (200, "")
    assert headers["content-length"] == full["content-length"] == str(len(body.encode()))


def test_another_method_on_a_document_is_not_served_as_one(handler):
    status, headers, _ = get(handler, SPEC_JSON_PATH, method="POST")
    assert status == 404
    assert headers["content-type"] == "application/problem+json"
