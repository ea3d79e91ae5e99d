"""The benchmark of the TypeScript functions (bench/node.py), on a little of everything."""

from __future__ import annotations

from bench import node
from bench.workload import bench_event
from tests.typescript import require_bundle


def test_each_bundle_is_measured_cold_and_warm_and_shown_in_the_table(emulator):
    require_bundle()
    health = bench_event(path="/health", caller=None)

    results = node.measure(
        {"users": health}, emulator.endpoint_url, cold_runs=2, requests=5, warmup=1
    )

    figures = results["UsersNodeFunction"]
    assert figures["bundle_bytes"] > 0
    assert set(figures["cold_start"]) == {*node.COLD_PHASES, "wall_ms"}
    assert figures["cold_start"]["total_ms"]["runs"] == 2
    assert figures["cold_start"]["peak_rss_mb"]["median"] > 0
    assert figures["warm"]["n"] == 5
    assert figures["warm"]["statuses"] == {"200": 5}
    [row] = [line for line in node.render(results) if "UsersNodeFunction" in line]
    assert row.split()[1] == f"{figures['bundle_bytes'] / 1024:.0f}"
