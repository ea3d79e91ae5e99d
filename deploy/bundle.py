"""The Lambda bundle that `sam build` deploys: `api/`, `openapi.yaml` at the root (api/app.py
reads it from the parent of `api/`) and the pinned runtime dependencies, as wheels for
Lambda's platform (rpds-py is compiled), whatever machine builds it.

template.yaml builds both functions with `BuildMethod: makefile`; the Makefile targets
`build-UsersFunction` and `build-AssetsFunction` run `python -m deploy.bundle "$ARTIFACTS_DIR"`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "api"
SPEC = "openapi.yaml"
REQUIREMENTS = "requirements.txt"
# What `Runtime: python3.11` and `Architectures: [x86_64]` in template.yaml run.
PLATFORM = "manylinux2014_x86_64"
PYTHON_VERSION = "3.11"


def copy_sources(root: Path, dest: Path) -> None:
    """Copy the application package and the spec from `root` into `dest`, without caches."""
    shutil.copytree(
        root / PACKAGE,
        dest / PACKAGE,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        dirs_exist_ok=True,
    )
    shutil.copy2(root / SPEC, dest / SPEC)


def pip_install_command(requirements: Path, dest: Path) -> list[str]:
    """pip installing `requirements` into `dest` as binary wheels for Lambda's platform."""
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--requirement",
        str(requirements),
        "--target",
        str(dest),
        "--platform",
        PLATFORM,
        "--implementation",
        "cp",
        "--python-version",
        PYTHON_VERSION,
        "--only-binary=:all:",
    ]


def build(root: Path, dest: Path) -> None:
    """Write the bundle of the project at `root` into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run(pip_install_command(root / REQUIREMENTS, dest), check=True)  # noqa: S603
    # Console scripts pip wrote for the building machine's Python; nothing runs them on Lambda.
    shutil.rmtree(dest / "bin", ignore_errors=True)
    copy_sources(root, dest)


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if len(args) != 1:
        print("usage: python -m deploy.bundle ARTIFACTS_DIR", file=sys.stderr)
        return 2
    build(ROOT, Path(args[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
