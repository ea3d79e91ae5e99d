"""Where the benchmark runs: the child processes' environment and the machine's description."""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO_ROOT / "bench" / "results"
REQUIREMENTS = REPO_ROOT / "requirements.txt"
# Git-ignored, and outside the packages that linters and type checkers walk.
BUNDLES_DIR = REPO_ROOT / "build" / "bench"

# What the Lambda functions get from the template, pointed at the emulator. Credentials
# are fake (the emulator takes any), and no AWS config file or instance metadata is read,
# as on Lambda.
_CHILD_ENV = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    "USERS_TABLE": "Users",
    "ASSETS_TABLE": "Assets",
    "ASSETS_BUCKET": "assets",
    "LOG_LEVEL": "INFO",
    # As dev/server.py sets it for the emulator, which can stall for seconds on a busy
    # machine where AWS would answer: a 2 s timeout would make botocore retry writes.
    "AWS_READ_TIMEOUT_SECONDS": "30",
}


def child_environment(endpoint_url: str | None) -> dict[str, str]:
    """This process's environment without AWS settings of its own, plus the functions'."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_")
        and k not in {"PYTHONDONTWRITEBYTECODE", "PYTHONPROFILEIMPORTTIME"}
    }
    env |= _CHILD_ENV
    if endpoint_url is not None:
        env["AWS_ENDPOINT_URL"] = endpoint_url
    return env


@dataclass(frozen=True)
class Runtime:
    """How the child processes run the handlers: environment and interpreter flags."""

    env: dict[str, str]
    python_flags: tuple[str, ...] = ()
    description: str = "the development virtualenv"
    details: dict[str, Any] = field(default_factory=dict)


def lambda_bundle() -> Path:
    """requirements.txt installed with `pip install --target`, as `sam build` makes the
    functions' bundle; built once per content of requirements.txt, under build/bench."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:12]
    bundle = BUNDLES_DIR / f"lambda-bundle-{digest}"
    if bundle.is_dir():
        return bundle
    partial = BUNDLES_DIR / f"lambda-bundle-{digest}.partial"
    BUNDLES_DIR.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(partial, ignore_errors=True)
    pip = subprocess.run(  # noqa: S603 - our own interpreter's pip
        [
            sys.executable,
            *("-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input"),
            *("--target", str(partial), "-r", str(REQUIREMENTS)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if pip.returncode != 0:
        raise OSError(f"pip install --target failed: {pip.stderr.strip()[-2000:]}")
    partial.rename(bundle)
    return bundle


def handler_runtime(endpoint_url: str, *, use_bundle: bool = True) -> Runtime:
    """The functions' environment pointed at the emulator, importing the Lambda bundle's
    packages only (`-S`: not the virtualenv's site-packages, whose development tools
    change what some imports pull in), or the virtualenv's if asked or if the bundle
    cannot be built."""
    env = child_environment(endpoint_url)
    if not use_bundle:
        return Runtime(env)
    try:
        bundle = lambda_bundle()
    except OSError as exc:
        sys.stderr.write(f"[bench] no Lambda bundle ({exc}); using the virtualenv\n")
        return Runtime(env, description="the development virtualenv (no bundle)")
    return Runtime(
        {**env, "PYTHONPATH": str(bundle)},
        ("-S",),
        "a Lambda-like bundle: pip install --target of requirements.txt, python -S",
        {"bundle": str(bundle.relative_to(REPO_ROOT))},
    )


def source_state() -> dict[str, Any]:
    """The commit measured, and whether the working tree differed from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            check=True,
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            check=True,
        ).stdout
    except (subprocess.CalledProcessError, OSError):
        return {"commit": None, "modified": None}
    return {"commit": commit, "modified": bool(changes.strip())}


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """The CPU, its cores and the Python that ran the benchmark."""
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(terse=True),
        "executable": sys.executable,
    }
