"""openapi.yaml keeps the style rules of the committed ruleset (.spectral.yaml)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from api.paths import ROOT, SPEC_PATH

SPECTRAL = ROOT / "contract" / "node_modules" / ".bin" / "spectral"
RULESET = ROOT / ".spectral.yaml"


def test_the_spec_keeps_every_rule_of_the_style_ruleset():
    if not SPECTRAL.exists():
        if shutil.which("npm") is None:
            pytest.skip("Spectral needs npm (Node.js), which this machine lacks")
        pytest.fail("Spectral is not installed: `npm ci --prefix contract` installs it")
    result = subprocess.run(
        [SPECTRAL, "lint", f"--ruleset={RULESET}", "--fail-severity=warn", str(SPEC_PATH)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
