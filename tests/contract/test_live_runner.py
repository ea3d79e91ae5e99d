"""`make contract URL=...` against `make run`'s server, as a user runs both."""

from __future__ import annotations

import subprocess
import sys

from tests.local_server import ROOT, local_server

# Fewer examples than the suites in process: this proves the runner and the served API
# keep the contract over real HTTP; the in-process suites explore further.
MAX_EXAMPLES = 25


def test_the_contract_suite_passes_against_the_local_server():
    with local_server() as server:
        result = subprocess.run(
            [sys.executable, "-m", "contract", server.url, f"--max-examples={MAX_EXAMPLES}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    assert result.returncode == 0, result.stdout[-20000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary
    assert "failed" not in summary
    assert "skipped" not in summary


def test_the_runner_refuses_a_url_where_no_api_answers():
    result = subprocess.run(
        [sys.executable, "-m", "contract", "http://127.0.0.1:9"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "is the API running?" in result.stderr
