"""Cold starts: a fresh interpreter per run, importing a handler and serving one request."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from bench.child import run_child
from bench.environment import Runtime
from bench.stats import run_summary

PHASES = (
    "import_ms",
    "first_request_ms",
    "total_ms",
    "startup_ms",
    "rss_import_mb",
    "peak_rss_mb",
)


def cold_start(entry: str, event: Mapping[str, Any], runtime: Runtime) -> dict[str, Any]:
    """One cold start of the Lambda entry point `entry` (module.attribute) answering `event`."""
    spawned = time.time()
    result: dict[str, Any] = run_child("bench.cold_child", [entry], runtime, json.dumps(event))
    # From fork to the handler's import: the interpreter and site start-up.
    result["startup_ms"] = (result.pop("started_wall") - spawned) * 1000
    return result


def measure(
    targets: Mapping[str, tuple[str, Mapping[str, Any]]], runs: int, runtime: Runtime
) -> dict[str, dict[str, Any]]:
    """`runs` cold starts of each target (name -> entry point, event), interleaved so
    that a burst of noise from elsewhere falls on all of them alike; one unrecorded round
    first writes the bytecode caches and fills the page cache, so that every recorded run
    starts alike."""
    for entry, event in targets.values():
        cold_start(entry, event, runtime)
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
    for _ in range(runs):
        for name, (entry, event) in targets.items():
            samples[name].append(cold_start(entry, event, runtime))
    summary: dict[str, dict[str, Any]] = {}
    for name, runs_of_target in samples.items():
        summary[name] = {
            phase: run_summary([run[phase] for run in runs_of_target])
            if all(run[phase] is not None for run in runs_of_target)
            else None
            for phase in PHASES
        }
    return summary
