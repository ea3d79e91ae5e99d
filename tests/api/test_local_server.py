"""`make run`'s server as a user meets it: a process serving the API and the emulator."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import httpx
import pytest

from tests.local_server import LocalServer
from tests.local_server import local_server as running_local_server
from tests.transfers import download, upload


@pytest.fixture(scope="module")
def local_server() -> Iterator[LocalServer]:
    with running_local_server() as server:
        yield server


def test_it_serves_the_users_flow_the_docs_and_cors(local_server):
    url = local_server.url
    created = httpx.post(f"{url}/users", json={"email": "Ada@Example.com", "name": "Ada"})
    assert created.status_code == 201
    user_url = f"{url}{created.headers['location']}"
    assert httpx.get(user_url).json() == created.json()
    patched = httpx.patch(user_url, json={"name": "Ada L."}, headers={"If-Match": '"1"'})
    assert patched.status_code == 200
    assert httpx.patch(user_url, json={"name": "X"}, headers={"If-Match": '"1"'}).status_code == 412
    assert httpx.delete(user_url).status_code == 204
    assert httpx.get(f"{url}/ui/").status_code == 200
    preflight = httpx.options(
        f"{url}/users",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"


def test_its_presigned_urls_really_upload_and_download(local_server):
    url = local_server.url
    data = os.urandom(3000)
    created = httpx.post(
        f"{url}/assets",
        json={"fileName": "noise.bin", "contentType": "application/octet-stream", "size": 3000},
    ).json()

    assert upload(created["upload"], data) in (200, 201, 204)
    asset_url = f"{url}/assets/{created['assetId']}"
    assert httpx.get(asset_url).json()["status"] == "uploaded"
    assert download(httpx.get(f"{asset_url}/download").json()["url"]).content == data
    assert httpx.delete(asset_url).status_code == 204


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
