"""Instruction counts with Valgrind (cachegrind, no cache simulation): repeatable to a few
hundredths of a percent on a shared machine, where wall times are not.

- Cold start: the instructions of a fresh process importing a Lambda entry point and
  answering one request on the emulator (bench/cold_child.py), floors alike.
- Per warm request: two runs of one operation on zero-latency fakes, warmed up, with 0 and
  with n more requests (bench/instructions_child.py): their difference over n.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.child import run_child
from bench.environment import Runtime

# The operations whose per-request cost has a budget: a GET and a POST of each function.
OPERATIONS = {"users": ("get_user", "create_user"), "assets": ("get_asset", "create_asset")}
IMPLEMENTATIONS = ("app", "floor", "fair")
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def valgrind() -> str | None:
    """Valgrind's path, or None where it is not installed (make bench installs it as root)."""
    return shutil.which("valgrind")


def _counted(module: str, args: list[str], runtime: Runtime, stdin: str = "") -> int:
    tool = valgrind()
    assert tool is not None
    result = run_child(
        module,
        args,
        runtime,
        stdin,
        wrapper=(tool, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"),
        keep_stderr=True,
    )
    found = _REFS.findall(result["stderr"])
    if not found:
        raise RuntimeError(f"no instruction count from valgrind for {module} {args}")
    return int(found[-1].replace(",", ""))


def cold_starts(
    targets: Mapping[str, tuple[str, Mapping[str, Any]]], runtime: Runtime
) -> dict[str, int]:
    """The instructions of one cold start of each target (name -> entry point, event)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = {
            name: pool.submit(_counted, "bench.cold_child", [entry], runtime, json.dumps(event))
            for name, (entry, event) in targets.items()
        }
        return {name: future.result() for name, future in counts.items()}


def per_request(n: int, runtime: Runtime) -> dict[str, dict[str, dict[str, float]]]:
    """Instructions per warm request of each budgeted operation: group -> operation ->
    implementation -> instructions."""
    jobs = [
        (group, operation, implementation)
        for group, operations in OPERATIONS.items()
        for operation in operations
        for implementation in IMPLEMENTATIONS
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            (job, requests): pool.submit(
                _counted,
                "bench.instructions_child",
                [job[2], job[0], job[1], str(requests)],
                runtime,
            )
            for job in jobs
            for requests in (0, n)
        }
        counts = {key: future.result() for key, future in futures.items()}
    results: dict[str, dict[str, dict[str, float]]] = {}
    for group, operation, implementation in jobs:
        job = (group, operation, implementation)
        per = (counts[(job, n)] - counts[(job, 0)]) / n
        results.setdefault(group, {}).setdefault(operation, {})[implementation] = round(per)
    return results
