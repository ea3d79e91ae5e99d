"""Summaries of measured durations."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any


def latency_summary(durations_ns: Sequence[int]) -> dict[str, Any]:
    """Percentiles of request durations, in microseconds."""
    cuts = statistics.quantiles(durations_ns, n=100, method="inclusive")
    return {
        "n": len(durations_ns),
        "p50_us": round(cuts[49] / 1000, 1),
        "p90_us": round(cuts[89] / 1000, 1),
        "p99_us": round(cuts[98] / 1000, 1),
        "mean_us": round(statistics.fmean(durations_ns) / 1000, 1),
        "min_us": round(min(durations_ns) / 1000, 1),
        "max_us": round(max(durations_ns) / 1000, 1),
    }


def run_summary(values: Sequence[float], digits: int = 1) -> dict[str, Any]:
    """Median and spread (min, max, quartiles) of one figure over several runs."""
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
        "q1": round(q1, digits),
        "q3": round(q3, digits),
        "runs": len(values),
    }
