"""`python -m contract URL` against `make run`'s server, as an outsider runs it: from a scratch
directory holding only contract/ and the spec."""

from __future__ import annotations

import shutil
import subprocess
import sys

from api.paths import ROOT, SPEC_PATH
from tests.local_server import local_server

# Fewer examples than the suites in process: this proves the runner and the served API
# keep the contract over real HTTP; the in-process suites explore further.
MAX_EXAMPLES = 25


def scratch_copy(tmp_path):
    """contract/ and openapi.yaml, alone in a new directory."""
    shutil.copytree(
        ROOT / "contract",
        tmp_path / "contract",
        ignore=shutil.ignore_patterns("node_modules", "__pycache__"),
    )
    shutil.copy2(SPEC_PATH, tmp_path / "openapi.yaml")
    return tmp_path


def run_contract(cwd, *args, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "contract", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_the_contract_suite_passes_against_the_local_server_from_a_scratch_directory(tmp_path):
    scratch = scratch_copy(tmp_path)
    with local_server() as server:
        result = run_contract(
            scratch, server.url, f"--max-examples={MAX_EXAMPLES}", f"--token={server.token()}"
        )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary
    assert "failed" not in summary
    assert "skipped" not in summary
    assert "api" not in {p.name for p in scratch.iterdir()}


def test_the_runner_refuses_a_url_where_no_api_answers():
    result = run_contract(ROOT, "http://127.0.0.1:9", timeout=60)
    assert result.returncode == 2
    assert "is the API running?" in result.stderr


def test_the_runner_refuses_a_spec_that_is_not_there(tmp_path):
    result = run_contract(ROOT, "http://127.0.0.1:9", f"--spec={tmp_path / 'none.yaml'}")
    assert result.returncode == 2
    assert "no spec at" in result.stderr
