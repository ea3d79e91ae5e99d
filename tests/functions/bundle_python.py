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

from api.functions.lambda_spec import SPEC_JSON_PATH, write_spec_json
from api.paths import ROOT, SPEC_PATH

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


def bundle_root() -> Path:
    """A copy of what deploy/bundle.py puts at the bundle's root: api/, openapi.yaml and the
    openapi.json made from it."""
    target = Path(tempfile.gettempdir()) / f"lambda-bundle-root-{os.getpid()}"
    if target.is_dir():
        return target
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(ROOT / "api", partial / "api", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(SPEC_PATH, partial / SPEC_PATH.name)
    write_spec_json(partial / SPEC_PATH.name, partial / SPEC_JSON_PATH.name)
    partial.rename(target)
    return target


def run_in_bundle(code: str, env: dict[str, str] | None = None) -> str:
    """Run `code` in a fresh interpreter from the bundle's root that sees the standard
    library, the bundle's root and packages, and the repository's tests only (`python -S`,
    as the benchmark runs the bundle); its standard output."""
    root = bundle_root()
    path = os.pathsep.join(map(str, (bundle_path(), root, ROOT)))
    completed = subprocess.run(
        [sys.executable, "-S", "-c", code],
        cwd=root,
        env={**os.environ, "PYTHONPATH": path, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise AssertionError(completed.stderr[-3000:])
    return completed.stdout
