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

from api.functions.lambda_spec import write_spec_json
from api.functions.unused_imports import LAMBDA_MARKER
from api.paths import ROOT
from api.resources import BUCKETS, TABLES
from deploy import bundle

RESULTS_DIR = ROOT / "bench" / "results"
REQUIREMENTS = ROOT / bundle.REQUIREMENTS
# Git-ignored, and outside the packages that linters and type checkers walk.
BUNDLES_DIR = ROOT / "build" / "bench"

# What the Lambda functions get from the template, pointed at the emulator, with the local
# names of the tables and buckets that bench.emulator creates. Credentials are fake (the
# emulator takes any), and no AWS config file or instance metadata is read, as on Lambda.
_CHILD_ENV = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    **{table.env: table.local_name for table in TABLES.values()},
    **{bucket.env: bucket.local_name for bucket in BUCKETS.values()},
    "LOG_LEVEL": "INFO",
    # The rate limit on, as deployed (one UpdateItem per request, whatever the quota), with a
    # quota the benchmark's one caller never reaches.
    "RATE_LIMIT_PER_MINUTE": "1000000000",
    # As dev/server.py sets it for the emulator, which can stall for seconds on a busy
    # machine where AWS would answer: a 2 s timeout would make botocore retry writes.
    "AWS_READ_TIMEOUT_SECONDS": "30",
    # The template passes a generated secret; the benchmark's is no secret.
    "CURSOR_KEY": "bench only: the page cursors' HMAC key",
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


def lambda_bundle(*, for_lambda: bool) -> Path:
    """requirements.txt installed by deploy/bundle.py as `sam build` installs it (Lambda's
    wheels and bytecode, or this machine's wheels if not `for_lambda`); built once per
    content of requirements.txt and pip command, under build/bench."""
    # What the install depends on: the pins, pip's options and, for this machine's wheels,
    # this interpreter.
    command = bundle.pip_install_command(
        Path(bundle.REQUIREMENTS), Path("bundle"), for_lambda=for_lambda
    )
    installer = [*command[1:], sys.implementation.cache_tag, platform.machine()]
    digest = hashlib.sha256(REQUIREMENTS.read_bytes() + " ".join(installer).encode())
    built = BUNDLES_DIR / f"lambda-bundle-{digest.hexdigest()[:12]}"
    if built.is_dir():
        return built
    partial = built.with_name(f"{built.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        bundle.install_dependencies(REQUIREMENTS, partial, for_lambda=for_lambda)
    except subprocess.CalledProcessError as exc:
        raise OSError(f"pip install --target exited with {exc.returncode}") from exc
    if for_lambda:
        bundle.compile_bytecode(partial)
    partial.rename(built)
    return built


def handler_runtime(endpoint_url: str, *, use_bundle: bool = True) -> Runtime:
    """The functions' environment pointed at the emulator, importing the Lambda bundle's
    packages only (`-S`: not the virtualenv's site-packages, whose development tools
    change what some imports pull in), or the virtualenv's if asked or if the bundle
    cannot be built. The bundle has Lambda's own wheels where this machine can run them."""
    env = child_environment(endpoint_url)
    # What the bundle carries beside openapi.yaml, and reads instead of it.
    write_spec_json()
    if not use_bundle:
        return Runtime(env)
    for_lambda = bundle.runs_lambda_wheels()
    try:
        built = lambda_bundle(for_lambda=for_lambda)
    except OSError as exc:
        sys.stderr.write(f"[bench] no Lambda bundle ({exc}); using the virtualenv\n")
        return Runtime(env, description="the development virtualenv (no bundle)")
    wheels = (
        f"{bundle.PLATFORM} wheels for CPython {bundle.PYTHON_VERSION}, with bytecode"
        if for_lambda
        else "this machine's wheels, not Lambda's"
    )
    return Runtime(
        # As on Lambda, where the runtime names the function: the entry points leave what they
        # never use unloaded (api/functions/unused_imports.py).
        {**env, "PYTHONPATH": str(built), LAMBDA_MARKER: "bench"},
        ("-S",),
        f"a Lambda-like bundle: deploy/bundle.py's install of requirements.txt ({wheels}),"
        " python -S",
        {"bundle": str(built.relative_to(ROOT)), "lambda_wheels": for_lambda},
    )


def source_state() -> dict[str, Any]:
    """The commit measured, and whether the working tree differed from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            capture_output=True,
            text=True,
            cwd=ROOT,
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
