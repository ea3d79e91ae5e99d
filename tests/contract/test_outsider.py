"""The spec as outsiders use it: served as written, and an outsider's own Schemathesis run
(no hooks, no settings of ours) against `make run`'s server finds nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from starlette.testclient import TestClient

from api.functions.builders import local_app, users_function
from api.paths import SPEC_PATH
from api.spec import load_spec
from tests.events import FakeLambdaContext, make_http_event
from tests.identity import bearer, verify
from tests.local_server import local_server

MAX_EXAMPLES = 25


def test_the_served_spec_is_the_authored_document_with_its_refs(settings):
    with TestClient(local_app(settings, authenticate=verify), headers=bearer()) as client:
        served = client.get("/openapi.json")
        yaml = client.get("/openapi.yaml")
    assert served.status_code == 200
    assert served.headers["content-type"] == "application/json"
    assert served.json() == json.loads(json.dumps(load_spec()))
    assert '"$ref": "#/components/schemas/User"' in served.text
    assert yaml.content == SPEC_PATH.read_bytes()


def test_lambda_serves_the_same_authored_spec_as_make_run(settings):
    # On AWS the users function serves the documents (CloudFront caches them).
    # Anonymous, as a browser reading the docs asks for it.
    event = make_http_event(path="/openapi.json", caller=None)
    response = users_function(settings)(event, FakeLambdaContext())
    with TestClient(local_app(settings, authenticate=verify)) as client:
        local = client.get("/openapi.json").json()
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == local


def test_an_outsiders_schemathesis_run_finds_nothing(tmp_path: Path):
    schemathesis = Path(sys.executable).with_name("schemathesis")
    with local_server() as server:
        result = subprocess.run(
            [
                str(schemathesis),
                "run",
                f"{server.url}/openapi.json",
                # An administrator's token, as an outsider would be given one: with it,
                # Schemathesis' ignored_auth check calls each operation without it too.
                f"--header=Authorization: Bearer {server.token()}",
                "--exclude-checks=positive_data_acceptance",
                f"--max-examples={MAX_EXAMPLES}",
                "--seed=20261201",
            ],
            cwd=tmp_path,  # no schemathesis.toml, no hooks
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    assert result.returncode == 0, result.stdout[-20000:]
    assert " passed" in result.stdout
    assert "failed" not in result.stdout.split("SUMMARY")[-1]


def test_an_outsiders_ignored_auth_check_alone_finds_every_operation_refuses_without_the_token(
    tmp_path: Path,
):
    schemathesis = Path(sys.executable).with_name("schemathesis")
    with local_server() as server:
        result = subprocess.run(
            [
                str(schemathesis),
                "run",
                f"{server.url}/openapi.json",
                f"--header=Authorization: Bearer {server.token()}",
                "--checks=ignored_auth",
                "--max-examples=5",
                "--seed=20261202",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    assert result.returncode == 0, result.stdout[-20000:]
    assert "failed" not in result.stdout.split("SUMMARY")[-1]
