"""`make run`'s front page: where a newcomer goes from /, as HTML or, asked for, as JSON;
served locally only."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from api.functions.builders import users_function
from api.spec import load_spec
from dev.app import create_local_app
from dev.landing import prefers_json
from dev.web_client import DEFAULT_WEB_PORT, web_origin
from tests.events import FakeLambdaContext, make_http_event

ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture
def client(worker_env):
    with TestClient(create_local_app(), base_url=ORIGIN) as client:
        yield client


def test_the_front_page_links_to_the_web_client_the_docs_and_the_spec(client):
    response = client.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.headers["vary"] == "Accept"
    assert "<script" not in response.text
    for href in ("http://localhost:3000", f"{ORIGIN}/ui/", f"{ORIGIN}/openapi.json"):
        assert f'<a href="{href}">' in response.text


def test_a_client_asking_for_json_gets_the_same_links_as_json(client):
    page = client.get("/")
    response = client.get("/", headers={"Accept": "application/json"})

    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert document["title"] == f"{load_spec()['info']['title']} {load_spec()['info']['version']}"
    assert {name: link["href"] for name, link in document["links"].items()} == {
        "webClient": "http://localhost:3000",
        "docs": f"{ORIGIN}/ui/",
        "operations": f"{ORIGIN}/docs",
        "spec": f"{ORIGIN}/openapi.json",
        "specYaml": f"{ORIGIN}/openapi.yaml",
    }
    for link in document["links"].values():
        assert f'<a href="{link["href"]}">' in page.text


def test_the_web_client_link_follows_web_port(worker_env, monkeypatch):
    monkeypatch.setenv("WEB_PORT", "3100")
    with TestClient(create_local_app()) as client:
        links = client.get("/", headers={"Accept": "application/json"}).json()["links"]
    assert links["webClient"]["href"] == "http://localhost:3100"
    assert web_origin(DEFAULT_WEB_PORT) == "http://localhost:3000"


def test_a_head_of_the_front_page_has_its_length_and_no_body(client):
    full = client.get("/")
    head = client.head("/")
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == str(len(full.content))


def test_another_method_on_the_front_page_is_the_api_s_problem(client):
    response = client.post("/")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("accept", "json_wanted"),
    [
        ("application/json", True),
        ("application/json, text/html;q=0.5", True),
        ("text/html, application/json;q=0.9", False),
        ("*/*", False),
        ("", False),
        ("application/*", True),
        ("application/json;q=0, */*", False),
        ("application/json;q=nonsense", False),
    ],
)
def test_json_is_chosen_when_accept_weighs_it_above_html(accept, json_wanted):
    assert prefers_json(accept) is json_wanted


def test_the_spec_and_the_lambda_functions_know_nothing_of_it(settings):
    assert "/" not in load_spec()["paths"]
    response = users_function(settings)(make_http_event(path="/"), FakeLambdaContext())
    assert response["statusCode"] == 404
