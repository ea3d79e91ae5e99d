"""The budgets, and the table printed on stdout."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench.handlers import GROUPS, function_name
from bench.workload import ASSET_OPERATIONS, USER_OPERATIONS

COLD_RATIO_BUDGET = 1.6
OVERHEAD_BUDGET_US = 250.0
RSS_BUDGET_MB = 150.0


def floor_of(group: str) -> str:
    """The floor's name in the results, serving `group`'s request."""
    return f"floor ({group})"


def ratio(value: float, floor: float) -> float | None:
    return round(value / floor, 2) if floor else None


def budgets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each budget of the benchmark with the figure measured against it: met or not."""
    verdicts: list[dict[str, Any]] = []
    cold = results["cold_start"]
    for group in GROUPS:
        name = function_name(group)
        figure = ratio(
            cold[name]["total_ms"]["median"], cold[floor_of(group)]["total_ms"]["median"]
        )
        verdicts.append(
            {
                "budget": f"cold start of {name} <= {COLD_RATIO_BUDGET}x the floor's",
                "measure": "median import -> first 2xx, over the floor's for the same request",
                "figure": figure,
                "unit": "x",
                "met": figure is not None and figure <= COLD_RATIO_BUDGET,
            }
        )
    for group, operations in (("users", USER_OPERATIONS), ("assets", ASSET_OPERATIONS)):
        app = results["overhead"][group]["app"]["operations"]
        worst = max(operations, key=lambda op: app[op]["p50_us"])
        verdicts.append(
            {
                "budget": f"framework overhead <= {OVERHEAD_BUDGET_US:.0f} us per warm request"
                f" ({group} operations)",
                "measure": f"p50 through the handler on zero-latency fakes, worst: {worst}",
                "figure": app[worst]["p50_us"],
                "unit": "us",
                "met": app[worst]["p50_us"] <= OVERHEAD_BUDGET_US,
            }
        )
    for group in GROUPS:
        name = function_name(group)
        figure = max(cold[name]["peak_rss_mb"]["max"], results["warm"][group]["app"]["peak_rss_mb"])
        verdicts.append(
            {
                "budget": f"peak RSS of {name} < {RSS_BUDGET_MB:.0f} MB",
                "measure": "largest ru_maxrss of the cold starts and the warm runs",
                "figure": round(figure, 1),
                "unit": "MB",
                "met": figure < RSS_BUDGET_MB,
            }
        )
    return verdicts


def _spread(summary: dict[str, Any] | None) -> str:
    if summary is None:
        return "-"
    return f"{summary['median']:.0f} [{summary['min']:.0f}-{summary['max']:.0f}]"


def _times(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _cold_table(cold: dict[str, Any], runs: int) -> list[str]:
    header = ("", "init", "1st request", "total", "x floor", "+ startup", "RSS MB")
    rows = [header]
    for group in GROUPS:
        for name in (function_name(group), floor_of(group)):
            target = cold[name]
            total = target["total_ms"]["median"]
            floor_total = cold[floor_of(group)]["total_ms"]["median"]
            rows.append(
                (
                    name,
                    _spread(target["import_ms"]),
                    _spread(target["first_request_ms"]),
                    _spread(target["total_ms"]),
                    _times(ratio(total, floor_total)),
                    _spread(target["startup_ms"]),
                    _spread(target["peak_rss_mb"]),
                )
            )
    title = (
        f"COLD START: fresh process, import -> first 2xx on the emulator; ms, median [min-max]"
        f" of {runs} runs; '+ startup' is the interpreter's before the import"
    )
    return [title, *_columns(rows)]


def _latency_table(title: str, figures: dict[str, Any]) -> list[str]:
    header = (
        "operation",
        "p50",
        "p99",
        "floor p50",
        "floor p99",
        "x floor p50",
        "x floor p99",
        "non-2xx",
    )
    rows = [header]
    for group, operations in (("users", USER_OPERATIONS), ("assets", ASSET_OPERATIONS)):
        app, floor = figures[group]["app"]["operations"], figures[group]["floor"]["operations"]
        for op in operations:
            rows.append(
                (
                    op,
                    f"{app[op]['p50_us']:.0f}",
                    f"{app[op]['p99_us']:.0f}",
                    f"{floor[op]['p50_us']:.0f}",
                    f"{floor[op]['p99_us']:.0f}",
                    _times(ratio(app[op]["p50_us"], floor[op]["p50_us"])),
                    _times(ratio(app[op]["p99_us"], floor[op]["p99_us"])),
                    f"{_errors(app[op])}/{_errors(floor[op])}",
                )
            )
    return [title, *_columns(rows)]


def _errors(operation: dict[str, Any]) -> int:
    return sum(operation.get("errors", {}).values())


def _columns(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


def _listing_table(listing: dict[str, Any] | None) -> list[str]:
    if not listing:
        return []
    header = ("listing", "", "Query calls", "items evaluated", "ms per request", "")
    rows = [header]
    for scenario in ("department", "expired"):
        figures = listing[scenario]
        before, after = figures["before"], figures["after"]
        walk = "finished" if before["finished"] else f"unfinished at {listing['deadline_s']:.0f} s"
        rows.append(
            (
                figures["request"],
                "before",
                str(before["query_calls"]),
                str(before["items_evaluated"]),
                f"{before['seconds'] * 1000:.0f}",
                walk,
            )
        )
        reached = after["pages_to_the_match"]
        rows.append(
            (
                "",
                "after",
                str(after["query_calls"]),
                str(after["items_evaluated"]),
                f"{after['ms_per_request']['median']:.0f}",
                f"{after['items_returned']} items; the match on page {reached}"
                if reached
                else f"{after['items_returned']} items; no match in {after['pages_read']} pages",
            )
        )
    title = (
        f"FILTERED LISTINGS at {listing['users']} users on the emulator, one request each:"
        " before = the Queries the code sent before the budget (until the page filled);"
        " after = through the users function (median ms). The emulator's Query reads the"
        " whole table: calls and items evaluated are what carries over to DynamoDB"
    )
    return ["", title, *_columns(rows)]


def render(results: dict[str, Any]) -> str:
    machine, config, source = results["machine"], results["config"], results["source"]
    n = config["requests"]
    lines = [
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['python']},"
        f" {machine['platform']}",
        f"Run: {results['started_at']}, {'quick' if config['quick'] else 'full'},"
        f" {results['duration_s']:.0f} s; code at {source['commit']}"
        f"{' with uncommitted changes' if source['modified'] else ''}",
        f"Handlers ran in {results['runtime']['handlers_run_in']}; the emulator (moto) in a"
        " process of its own on loopback",
        "",
        *_cold_table(results["cold_start"], config["cold_runs"]),
        "",
        *_latency_table(
            f"WARM LATENCY through the handler on the emulator; us, {n} requests each;"
            " non-2xx: handler/floor answers other than 2xx (timed too)",
            results["warm"],
        ),
        "",
        *_latency_table(
            f"FRAMEWORK OVERHEAD: the same on zero-latency in-memory fakes; us, {n} requests each",
            results["overhead"],
        ),
        *_listing_table(results.get("listing")),
        "",
        "BUDGETS",
    ]
    for verdict in results["budgets"]:
        figure = f"{verdict['figure']}{'x' if verdict['unit'] == 'x' else ' ' + verdict['unit']}"
        status = "met" if verdict["met"] else "NOT MET"
        lines.append(f"  {status:<8} {verdict['budget']}: {figure} ({verdict['measure']})")
    return "\n".join(lines)
