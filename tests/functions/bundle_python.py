"""A Python process that imports only what the Lambda bundle holds: the standard library, the
repository and the distributions requirements.txt pins, as `sam build` installs them; the
development tools of the virtualenv are not there, as on Lambda."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from api.paths import ROOT

_PIN = re.compile(r"^([A-Za-z0-9_.-]+)==")


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def bundle_packages() -> set[str]:
    """The top-level import names of the distributions requirements.txt pins."""
    pinned = {
        _normalized(match.group(1))
        for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if (match := _PIN.match(line.strip()))
    }
    return {
        package
        for package, distributions in metadata.packages_distributions().items()
        if any(_normalized(d) in pinned for d in distributions)
    }


def bundle_path() -> Path:
    """A directory holding (as links into this virtualenv) the packages of the bundle only."""
    site = Path(next(p for p in sys.path if p.endswith("site-packages")))
    target = Path(tempfile.gettempdir()) / f"lambda-bundle-links-{os.getpid()}"
    if target.is_dir():
        return target
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    for package in bundle_packages():
        for found in [site / package, *site.glob(f"{package}.py"), *site.glob(f"{package}.*.so")]:
            if found.exists():
                (partial / found.name).symlink_to(found)
    partial.rename(target)
    return target


def run_in_bundle(code: str, env: dict[str, str] | None = None) -> str:
    """Run `code` in a fresh interpreter from the repository root that sees the standard
    library, the repository and the bundle's packages only (`python -S`, as the benchmark
    runs the bundle); its standard output."""
    completed = subprocess.run(
        [sys.executable, "-S", "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{bundle_path()}{os.pathsep}{ROOT}", **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise AssertionError(completed.stderr[-3000:])
    return completed.stdout
