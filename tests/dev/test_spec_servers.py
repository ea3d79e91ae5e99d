"""The spec's server, as Swagger UI and other readers use it: locally the origin the spec was
fetched from; on Lambda the authored relative `/`, which resolves to whichever origin served
it (CloudFront caches one copy for every viewer, and the function never sees their Host)."""

from __future__ import annotations

import json
from urllib.parse import urljoin

import pytest
from starlette.testclient import TestClient

from api.functions.builders import users_function
from api.spec import load_spec
from dev.app import create_local_app
from tests.events import FakeLambdaContext, make_http_event


@pytest.mark.parametrize("origin", ["http://127.0.0.1:8000", "http://localhost:8123"])
def test_the_local_spec_names_the_origin_it_was_fetched_from_as_its_server(worker_env, origin):
    with TestClient(create_local_app(), base_url=origin) as client:
        response = client.get("/openapi.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    spec = response.json()
    assert [server["url"] for server in spec["servers"]] == [origin]
    assert {**spec, "servers": load_spec()["servers"]} == load_spec()


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("api.test:9000", "http://api.test:9000"),
        ("[::1]:8000", "http://[::1]:8000"),
        ('x"><script>', "http://127.0.0.1:8000"),
        ("a b", "http://127.0.0.1:8000"),
    ],
)
def test_the_server_is_the_host_header_if_it_is_one_else_the_listening_address(
    worker_env, host, expected
):
    with TestClient(create_local_app(), base_url="http://127.0.0.1:8000") as client:
        response = client.get("/openapi.json", headers={"Host": host})
    assert [server["url"] for server in response.json()["servers"]] == [expected]


def test_swagger_ui_reads_the_spec_whose_server_is_this_one_and_keeps_the_token(worker_env):
    with TestClient(create_local_app()) as client:
        page = client.get("/ui/")
        config = client.get("/ui/swagger-ui-config.json").json()
    assert page.status_code == 200
    assert '"/openapi.json"' in page.text
    assert config["persistAuthorization"] is True
    assert load_spec()["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


@pytest.mark.parametrize(
    "spec_url",
    [
        "https://d111111abcdef8.cloudfront.net/openapi.json",
        "https://abc123.execute-api.eu-west-1.amazonaws.com/openapi.json",
    ],
)
def test_the_lambda_spec_s_server_resolves_to_the_origin_that_served_it(settings, spec_url):
    event = make_http_event(path="/openapi.json", caller=None, signed=False)
    response = users_function(settings)(event, FakeLambdaContext())
    (server,) = json.loads(response["body"])["servers"]

    assert urljoin(spec_url, server["url"]) == urljoin(spec_url, "/")
