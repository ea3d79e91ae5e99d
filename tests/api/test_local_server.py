"""`make run`'s server as a user meets it: a process serving the API and the emulator."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.transfers import download, upload

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def local_server() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    env = {**os.environ, "PORT": str(port), "EMULATOR_PORT": str(free_port())}
    process = subprocess.Popen(
        [sys.executable, "-m", "dev.server"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"the local server did not start: {process.communicate()[0]}")
    yield url, process
    if process.poll() is None:
        process.kill()


def test_it_serves_the_users_flow_the_docs_and_cors(local_server):
    url, _ = local_server
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
    url, _ = local_server
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
    url, process = local_server
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=20)

    assert process.returncode == 0
    assert f"API:      {url}" in output
    assert f"Docs:     {url}/ui" in output
    assert "curl" in output
