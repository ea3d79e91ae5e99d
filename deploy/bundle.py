"""The Lambda bundle that `sam build` deploys: `api/`, `openapi.yaml` at the root (api/spec.py
reads it from the parent of `api/`) with `openapi.json` beside it (what the functions parse
at init: api/functions/lambda_spec.py), and the pinned runtime dependencies, as wheels for
Lambda's platform (rpds-py is compiled), whatever machine builds it. The benchmark runs the
handlers on the same dependencies, installed by `install_dependencies`.

template.yaml builds both functions with `BuildMethod: makefile`; the Makefile targets
`build-UsersFunction` and `build-AssetsFunction` run `python -m deploy.bundle "$ARTIFACTS_DIR"`.
"""

from __future__ import annotations

import compileall
import os
import platform
import py_compile
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from api.paths import ROOT

PACKAGE = "api"
SPEC = "openapi.yaml"
REQUIREMENTS = "requirements.txt"
# What the template's `Runtime` (python + its PythonVersion parameter) and `Architectures:
# [x86_64]` run. A bundle for another Python than the default is built with the same version
# in LAMBDA_PYTHON_VERSION (`sam build --parameter-overrides PythonVersion=3.12` with
# LAMBDA_PYTHON_VERSION=3.12): its compiled wheels and bytecode are for that Python only.
ARCHITECTURE = "x86_64"
PLATFORM = f"manylinux2014_{ARCHITECTURE}"
DEFAULT_PYTHON_VERSION = "3.11"
SUPPORTED_PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
PYTHON_VERSION = os.environ.get("LAMBDA_PYTHON_VERSION") or DEFAULT_PYTHON_VERSION
if PYTHON_VERSION not in SUPPORTED_PYTHON_VERSIONS:
    raise SystemExit(
        f"LAMBDA_PYTHON_VERSION={PYTHON_VERSION}: not one of {SUPPORTED_PYTHON_VERSIONS}"
    )


def copy_sources(root: Path, dest: Path) -> None:
    """Copy the application package and the spec from `root` into `dest`, without caches."""
    shutil.copytree(
        root / PACKAGE,
        dest / PACKAGE,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        dirs_exist_ok=True,
    )
    shutil.copy2(root / SPEC, dest / SPEC)


def pip_install_command(requirements: Path, dest: Path, *, for_lambda: bool = True) -> list[str]:
    """pip installing `requirements` into `dest` as binary wheels for Lambda's platform, or
    for this interpreter's if not `for_lambda`."""
    command = [
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
    ]
    if not for_lambda:
        return command
    return [
        *command,
        "--platform",
        PLATFORM,
        "--implementation",
        "cp",
        "--python-version",
        PYTHON_VERSION,
        "--only-binary=:all:",
    ]


def runs_lambda_wheels() -> bool:
    """Whether this interpreter can import the wheels built for Lambda's platform: CPython
    of Lambda's version on x86_64 Linux with glibc."""
    return (
        platform.python_implementation() == "CPython"
        and f"{sys.version_info.major}.{sys.version_info.minor}" == PYTHON_VERSION
        and sys.platform == "linux"
        and platform.machine() == ARCHITECTURE
        and platform.libc_ver()[0] == "glibc"
    )


def install_dependencies(requirements: Path, dest: Path, *, for_lambda: bool = True) -> None:
    """Install the pinned `requirements` into `dest` (see `pip_install_command`), without the
    console scripts pip writes for the building machine's Python: nothing runs them on Lambda."""
    dest.mkdir(parents=True, exist_ok=True)
    command = pip_install_command(requirements, dest, for_lambda=for_lambda)
    subprocess.run(command, check=True)  # noqa: S603 - this interpreter's pip
    shutil.rmtree(dest / "bin", ignore_errors=True)


def compile_bytecode(dest: Path) -> bool:
    """Compile every module in `dest` for Lambda's Python, if this is that Python. Lambda's
    /var/task is read-only, so a bundle without bytecode compiles every module it imports
    at every cold start (measured: 1.1 s more). Unchecked-hash .pyc files are used as they
    are, without reading the sources or trusting the timestamps the zip keeps."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" != PYTHON_VERSION:
        print(
            f"warning: Python {PYTHON_VERSION} builds the bytecode the bundle should carry; "
            "this one would not match, so cold starts will compile every module",
            file=sys.stderr,
        )
        return False
    return compileall.compile_dir(
        dest,
        quiet=1,
        workers=0,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )


def write_spec_json(dest: Path) -> None:
    """Write openapi.json beside the bundle's openapi.yaml, with the YAML parser the bundle's
    dependencies hold (this interpreter may have none installed: `sam build` runs it bare)."""
    subprocess.run(  # noqa: S603 - this interpreter, the bundle's own module
        [sys.executable, "-S", "-m", "api.functions.lambda_spec", str(dest)],
        cwd=dest,
        env={"PYTHONPATH": str(dest), "PATH": os.environ.get("PATH", "")},
        check=True,
    )


def build(root: Path, dest: Path) -> None:
    """Write the bundle of the project at `root` into `dest`."""
    install_dependencies(root / REQUIREMENTS, dest)
    copy_sources(root, dest)
    write_spec_json(dest)
    compile_bytecode(dest)


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if len(args) != 1:
        print("usage: python -m deploy.bundle ARTIFACTS_DIR", file=sys.stderr)
        return 2
    build(ROOT, Path(args[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
