"""The TypeScript functions (ts/dist, built by `make ts`) beside the Python ones: the size of
each bundle, its cold start (a fresh Node process requiring the bundle and answering one
event on the emulator, bench/node_cold.mjs) and its warm latency (the same event again and
again to one long-lived process of dev/node_runner.mjs, as the local server runs it)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Mapping
from typing import Any

from api.resources import FUNCTIONS
from api.settings import Settings
from bench.stats import latency_summary, run_summary
from dev.emulator import FAKE_CREDENTIALS
from dev.gateway import LambdaContext
from dev.node_functions import NodeFunction, bundle_path, function_environment, node_executable

COLD_CHILD = os.path.join(os.path.dirname(__file__), "node_cold.mjs")
COLD_PHASES = ("startup_ms", "import_ms", "first_request_ms", "total_ms", "peak_rss_mb")
# The cursors' key of the benchmark's functions (they sign no cursor a client keeps).
BENCH_CURSOR_KEY = b"the benchmark's cursor key, no secret"


def unavailable() -> str | None:
    """Why the TypeScript functions cannot be measured here, if they cannot."""
    if node_executable() is None:
        return "node is not on the PATH"
    missing = [bundle_path(f).name for f in FUNCTIONS.values() if not bundle_path(f).is_file()]
    return f"the bundle is not built ({', '.join(missing)}): make ts" if missing else None


def environment(function_key: str, endpoint: str) -> dict[str, str]:
    """The function's environment on Lambda, on the emulator's default tables."""
    settings = Settings(aws_endpoint_url=endpoint, cursor_keys=(BENCH_CURSOR_KEY,))
    return {**function_environment(FUNCTIONS[function_key], settings), **FAKE_CREDENTIALS}


def cold_start(function_key: str, event: Mapping[str, Any], endpoint: str) -> dict[str, Any]:
    node = node_executable()
    assert node is not None
    read, write = os.pipe()
    spawned = time.perf_counter()
    try:
        process = subprocess.Popen(  # noqa: S603 (node, and the bundle of this checkout)
            [node, COLD_CHILD, str(bundle_path(FUNCTIONS[function_key])), str(write)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            pass_fds=(write,),
            env=environment(function_key, endpoint),
        )
    finally:
        os.close(write)
    process.communicate(json.dumps(event).encode(), timeout=60)
    with os.fdopen(read, "rb") as replies:
        line = replies.readline()
    wall_ms = (time.perf_counter() - spawned) * 1000
    if process.returncode != 0 or not line:
        raise RuntimeError(f"the cold start of {function_key} failed ({process.returncode})")
    result: dict[str, Any] = json.loads(line)
    if not 200 <= (result["status"] or 0) < 300:
        raise RuntimeError(f"the cold start of {function_key} answered {result['status']}")
    result["wall_ms"] = wall_ms
    return result


def warm(
    function_key: str, event: Mapping[str, Any], endpoint: str, requests: int, warmup: int
) -> dict[str, Any]:
    function = FUNCTIONS[function_key]
    runner = NodeFunction(
        function.logical_id, bundle_path(function), environment(function_key, endpoint), logs=False
    )
    durations: list[int] = []
    statuses: dict[str, int] = {}
    try:
        for count in range(warmup + requests):
            started = time.perf_counter_ns()
            answer = runner(dict(event), LambdaContext(function.logical_id))
            elapsed = time.perf_counter_ns() - started
            if count >= warmup:
                durations.append(elapsed)
                status = str(answer["statusCode"])
                statuses[status] = statuses.get(status, 0) + 1
    finally:
        runner.stop()
    return {**latency_summary(durations), "statuses": statuses}


def measure(
    events: Mapping[str, Mapping[str, Any]],
    endpoint: str,
    *,
    cold_runs: int,
    requests: int,
    warmup: int,
) -> dict[str, Any]:
    """Each function's bundle size, `cold_runs` cold starts and `requests` warm requests of
    its event in `events` (by function key), or why there are none."""
    reason = unavailable()
    if reason is not None:
        return {"unavailable": reason}
    measured: dict[str, Any] = {}
    for key, event in events.items():
        function = FUNCTIONS[key]
        cold_start(key, event, endpoint)  # fills the page cache, as the Python one does
        runs = [cold_start(key, event, endpoint) for _ in range(cold_runs)]
        measured[function.node_logical_id] = {
            "bundle_bytes": bundle_path(function).stat().st_size,
            "cold_start": {
                phase: run_summary([run[phase] for run in runs])
                for phase in (*COLD_PHASES, "wall_ms")
            },
            "warm": warm(key, event, endpoint, requests, warmup),
        }
    return measured


def render(results: Mapping[str, Any] | None) -> list[str]:
    """The table of the TypeScript functions, for bench/report.py."""
    if results is None:
        return []
    title = "NODE.JS: the TypeScript bundle (ts/dist); cold start ms (median), warm us"
    if "unavailable" in results:
        return ["", title, f"  not measured: {results['unavailable']}"]
    lines = [
        "",
        title,
        f"  {'function':<20}{'bundle KB':>10}{'startup':>9}{'require':>9}{'1st req':>9}"
        f"{'total':>9}{'wall':>9}{'peak MB':>9}{'warm p50':>10}{'warm p99':>10}",
    ]
    for name, figures in results.items():
        cold = {phase: summary["median"] for phase, summary in figures["cold_start"].items()}
        warm_figures = figures["warm"]
        lines.append(
            f"  {name:<20}{figures['bundle_bytes'] / 1024:>10.0f}{cold['startup_ms']:>9.1f}"
            f"{cold['import_ms']:>9.1f}{cold['first_request_ms']:>9.1f}{cold['total_ms']:>9.1f}"
            f"{cold['wall_ms']:>9.1f}{cold['peak_rss_mb']:>9.1f}"
            f"{warm_figures['p50_us']:>10.0f}{warm_figures['p99_us']:>10.0f}"
        )
    return lines
