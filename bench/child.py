"""How the harness and its child processes talk: one result line on stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from api.paths import ROOT
from bench.environment import Runtime

RESULT_PREFIX = "BENCH-RESULT "


def report(result: Any) -> None:
    """Print a child's result where the harness finds it among the access log lines."""
    sys.stdout.write(RESULT_PREFIX + json.dumps(result) + "\n")
    sys.stdout.flush()


def run_child(
    module: str,
    args: list[str],
    runtime: Runtime,
    stdin: str = "",
    *,
    python_flags: tuple[str, ...] = (),
    wrapper: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    keep_stderr: bool = False,
    timeout: float = 900,
) -> Any:
    """Run `python -m module args` from the repository root in `runtime` (plus
    `python_flags` and `env`, under the command `wrapper` if given) and return its result,
    and its standard error under "stderr" if `keep_stderr`."""
    completed = subprocess.run(  # noqa: S603 - our own interpreter and modules
        [*wrapper, sys.executable, *runtime.python_flags, *python_flags, "-m", module, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**runtime.env, **(env or {})},
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(
            f"python -m {module} {' '.join(args)} failed ({completed.returncode}):\n"
            + completed.stderr[-4000:]
        )
    result = json.loads(lines[-1][len(RESULT_PREFIX) :])
    if keep_stderr:
        result["stderr"] = completed.stderr
    return result
