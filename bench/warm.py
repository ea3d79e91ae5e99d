"""Warm latency: `python -m bench.warm IMPLEMENTATION GROUP BACKEND N WARMUP` in a process
of its own, as a warm Lambda execution environment: the warmup requests of each
operation pay for the cold start, then N requests of each are timed."""

from __future__ import annotations

import resource
import sys
from typing import Any

from bench.child import report, run_child
from bench.environment import Runtime
from bench.handlers import IMPLEMENTATIONS
from bench.stats import latency_summary


def measure(
    group: str, backend: str, n: int, warmup: int, rounds: int, runtime: Runtime
) -> dict[str, dict[str, Any]]:
    """The application and the floor serving `group`'s operations on `backend`, in
    `rounds` alternating processes each, so that noise from elsewhere falls on both alike."""
    durations: dict[str, dict[str, list[int]]] = {impl: {} for impl in IMPLEMENTATIONS}
    errors: dict[str, dict[str, dict[str, int]]] = {impl: {} for impl in IMPLEMENTATIONS}
    peak_rss: dict[str, float] = dict.fromkeys(IMPLEMENTATIONS, 0.0)
    share = -(-n // rounds)
    for round_ in range(rounds):
        order = IMPLEMENTATIONS if round_ % 2 == 0 else IMPLEMENTATIONS[::-1]
        for impl in order:
            args = [impl, group, backend, str(share), str(warmup)]
            result = run_child("bench.warm", args, runtime)
            for op, values in result["durations_ns"].items():
                durations[impl].setdefault(op, []).extend(values)
                counts = errors[impl].setdefault(op, {})
                for status, count in result["errors"][op].items():
                    counts[status] = counts.get(status, 0) + count
            peak_rss[impl] = max(peak_rss[impl], result["peak_rss_mb"])
    return {
        impl: {
            "operations": {
                op: {**latency_summary(v), "errors": errors[impl][op]}
                for op, v in durations[impl].items()
            },
            "peak_rss_mb": peak_rss[impl],
        }
        for impl in IMPLEMENTATIONS
    }


def main() -> None:
    from bench.handlers import handler_for
    from bench.workload import run_assets, run_users

    implementation, group, backend, n, warmup = sys.argv[1:6]
    handler, upload = handler_for(implementation, group, backend)
    if group == "users":
        measured = run_users(handler, int(n), int(warmup))
    else:
        measured = run_assets(handler, upload, int(n), int(warmup))
    report(
        {
            "durations_ns": measured.durations,
            "errors": measured.errors,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    )


if __name__ == "__main__":
    main()
