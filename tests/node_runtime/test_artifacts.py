"""What `sam build` ships of each TypeScript function (Makefile build-<Function>NodeFunction)
answers on its own, as on Lambda: from a folder holding only the artifact, with no
node_modules to fall back on."""

from __future__ import annotations

import os
import subprocess

import pytest

from api.paths import ROOT
from api.resources import FUNCTIONS
from tests.contract.gateway import BASE_URL, gateway_session
from tests.identity import bearer
from tests.typescript import require_bundle, typescript_functions


@pytest.fixture
def artifacts(tmp_path):
    """Each function's artifact, copied from the bundle of `make ts` as `sam build` copies it
    (`-o ts`: without building the bundle again), by the function's key."""
    require_bundle()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    built = {}
    for key, function in FUNCTIONS.items():
        folder = tmp_path / function.node_logical_id
        folder.mkdir()
        subprocess.run(
            [
                "make",
                "-s",
                "-o",
                "ts",
                f"build-{function.node_logical_id}",
                f"ARTIFACTS_DIR={folder}",
            ],
            cwd=ROOT,
            env=environment,
            check=True,
            capture_output=True,
        )
        built[key] = folder / function.node_bundle
    return built


def test_each_artifact_answers_its_operations_from_its_own_files(artifacts, settings):
    with typescript_functions(settings, artifacts) as functions:
        session = gateway_session(functions)
        user = {"email": "ada@example.com", "name": "Ada Lovelace"}
        asset: dict[str, str | int] = {"fileName": "a.txt", "contentType": "text/plain", "size": 5}

        created_user = session.post(f"{BASE_URL}/users", json=user, headers=bearer())
        created_asset = session.post(f"{BASE_URL}/assets", json=asset, headers=bearer())

    assert created_user.status_code == 201, created_user.text
    assert created_asset.status_code == 201, created_asset.text
    assert sorted(path.name for path in artifacts["users"].parent.iterdir()) == [
        "package.json",
        FUNCTIONS["users"].node_bundle,
    ]
