"""`make run`'s server as a user meets it: a process serving the API and the emulator."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import httpx
import pytest

from tests.local_server import LocalServer, make_as_a_user_types_it
from tests.local_server import local_server as running_local_server
from tests.transfers import download, upload


@pytest.fixture(scope="module")
def local_server() -> Iterator[LocalServer]:
    with running_local_server() as server:
        yield server


def test_it_serves_the_users_flow_the_docs_and_cors(local_server):
    url = local_server.url
    with local_server.client() as http:
        created = http.post("/users", json={"email": "Ada@Example.com", "name": "Ada"})
        assert created.status_code == 201
        user_url = created.headers["location"]
        assert http.get(user_url).json() == created.json()
        patched = http.patch(user_url, json={"name": "Ada L."}, headers={"If-Match": '"1"'})
        assert patched.status_code == 200
        changed = http.patch(user_url, json={"name": "X"}, headers={"If-Match": '"1"'})
        assert changed.status_code == 412
        assert http.delete(user_url).status_code == 204
    assert httpx.get(f"{url}/users").status_code == 401
    assert httpx.get(f"{url}/ui/").status_code == 200
    preflight = httpx.options(
        f"{url}/users",
        headers={"Origin": local_server.web_url, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.headers["access-control-allow-origin"] == local_server.web_url
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()


def test_it_publishes_the_key_its_tokens_are_verified_with(local_server):
    jwks = httpx.get(f"{local_server.url}/.well-known/jwks.json").json()
    discovery = httpx.get(f"{local_server.url}/.well-known/openid-configuration").json()
    assert discovery["issuer"] == local_server.url
    assert discovery["jwks_uri"] == f"{local_server.url}/.well-known/jwks.json"
    (key,) = jwks["keys"]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert "d" not in key  # the public half only


def test_it_serves_the_web_clients_config_and_its_sign_in(local_server):
    config = httpx.get(f"{local_server.web_url}/config.json").json()
    discovery = httpx.get(f"{local_server.url}/.well-known/openid-configuration").json()

    assert config["apiUrl"] == local_server.url
    assert config["redirectUri"] == local_server.web_url + "/"
    assert config["authorizeUrl"] == discovery["authorization_endpoint"]
    assert config["tokenUrl"] == discovery["token_endpoint"]
    assert discovery["code_challenge_methods_supported"] == ["S256"]


def test_its_presigned_urls_really_upload_and_download(local_server):
    data = os.urandom(3000)
    with local_server.client("uploader", admin=False) as http:
        created = http.post(
            "/assets",
            json={"fileName": "noise.bin", "contentType": "application/octet-stream", "size": 3000},
        ).json()

        assert upload(created["upload"], data) in (200, 201, 204)
        asset_url = f"/assets/{created['assetId']}"
        assert http.get(asset_url).json()["status"] == "uploaded"
        assert download(http.get(f"{asset_url}/download").json()["url"]).content == data
        assert http.delete(asset_url).status_code == 204


@pytest.mark.parametrize("admin", ["", "1"])
def test_make_token_prints_one_line_that_the_server_of_the_checkout_accepts(local_server, admin):
    made = make_as_a_user_types_it(
        "token", "SUB=ada", f"ADMIN={admin}", PORT=str(local_server.port)
    )
    assert made.returncode == 0, made.stderr
    (token,) = made.stdout.splitlines()
    auth = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{local_server.url}/assets", headers=auth).status_code == 200
    users = httpx.get(f"{local_server.url}/users", headers=auth).status_code
    assert users == (200 if admin else 403)


def test_make_token_without_a_subject_says_how_to_use_it():
    made = make_as_a_user_types_it("token")
    assert made.returncode == 2
    assert made.stdout == ""
    assert "usage: make token SUB=<subject> [ADMIN=1]" in made.stderr


def test_it_prints_where_it_serves_and_stops_cleanly_on_sigterm(local_server):
    url, process = local_server.url, local_server.process
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=20)
    output = local_server.output()

    assert process.returncode == 0
    assert "Stopped." in output
    assert f"API:      {url}" in output
    assert f"Docs:     {url}/ui" in output
    assert "curl" in output
