"""The budgets, and the table printed on stdout."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench import node
from bench.handlers import GROUPS, function_name
from bench.workload import ASSET_OPERATIONS, USER_OPERATIONS

# Cold start, import -> first 2xx, as a multiple of each floor's for the same request.
COLD_RATIO_BUDGETS = {"floor": 1.75, "fair": 1.4}
# What the application adds per warm request over the boto3 floor doing the bare work, on
# zero-latency fakes, in microseconds of this machine (instructions at its measured rate).
FRAMEWORK_BUDGET_US = {"GET": 300.0, "POST": 400.0}
BUDGETED_OPERATIONS = {
    "users": {"GET": "get_user", "POST": "create_user"},
    "assets": {"GET": "get_asset", "POST": "create_asset"},
}
RSS_BUDGET_MB = 150.0
FLOOR_NAMES = {"floor": "the boto3 floor", "fair": "the fair floor"}


def floor_of(group: str) -> str:
    """The boto3 floor's name in the results, serving `group`'s request."""
    return f"floor ({group})"


def fair_floor_of(group: str) -> str:
    """The fair floor's name in the results, serving `group`'s request."""
    return f"fair floor ({group})"


FLOOR_TARGETS = {"floor": floor_of, "fair": fair_floor_of}


def ratio(value: float, floor: float) -> float | None:
    return round(value / floor, 2) if floor else None


def instructions_per_us(results: dict[str, Any]) -> float | None:
    """This machine's rate running the application: instructions per request over its p50
    on the fakes, for the budgeted operations (median); None without instruction counts."""
    counted = results.get("instructions")
    if not counted:
        return None
    rates = sorted(
        counted["per_request"][group][operation]["app"]
        / results["overhead"][group]["app"]["operations"][operation]["p50_us"]
        for group, operations in BUDGETED_OPERATIONS.items()
        for operation in operations.values()
    )
    return round(float(rates[len(rates) // 2]), 1)


def _cold_verdicts(results: dict[str, Any]) -> list[dict[str, Any]]:
    verdicts = []
    cold, counted = results["cold_start"], results.get("instructions")
    for group in GROUPS:
        name = function_name(group)
        for floor, budget in COLD_RATIO_BUDGETS.items():
            target = FLOOR_TARGETS[floor](group)
            if counted:
                figure = ratio(counted["cold_start"][name], counted["cold_start"][target])
                measure = "instructions of import -> first 2xx (valgrind)"
            else:
                figure = ratio(cold[name]["total_ms"]["median"], cold[target]["total_ms"]["median"])
                measure = "median wall time of import -> first 2xx (no valgrind)"
            wall = ratio(cold[name]["total_ms"]["median"], cold[target]["total_ms"]["median"])
            verdicts.append(
                {
                    "budget": f"cold start of {name} <= {budget}x {FLOOR_NAMES[floor]}'s",
                    "measure": f"{measure}; wall-time median {wall}x",
                    "figure": figure,
                    "unit": "x",
                    "met": figure is not None and figure <= budget,
                }
            )
    return verdicts


def framework_cost_us(results: dict[str, Any], group: str, operation: str) -> float:
    """What the application adds to the boto3 floor's work per warm request of `operation`
    on the fakes: instructions at this machine's rate, or the p50s' difference without."""
    rate, counted = instructions_per_us(results), results.get("instructions")
    if rate and counted:
        per = counted["per_request"][group][operation]
        return round(float(per["app"] - per["floor"]) / rate, 1)
    overhead = results["overhead"][group]
    app, floor = overhead["app"]["operations"][operation], overhead["floor"]["operations"]
    return round(float(app["p50_us"] - floor[operation]["p50_us"]), 1)


def budgets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each budget of the benchmark with the figure measured against it: met or not."""
    verdicts = _cold_verdicts(results)
    counted = results.get("instructions")
    for group, operations in BUDGETED_OPERATIONS.items():
        for method, operation in operations.items():
            budget = FRAMEWORK_BUDGET_US[method]
            figure = framework_cost_us(results, group, operation)
            verdicts.append(
                {
                    "budget": f"framework cost <= {budget:.0f} us per warm {method} ({operation})",
                    "measure": (
                        f"instructions over the boto3 floor's at {instructions_per_us(results)}"
                        " per us (valgrind; the app's rate on the fakes)"
                        if counted
                        else "p50 over the floor's on the fakes (no valgrind)"
                    ),
                    "figure": figure,
                    "unit": "us",
                    "met": figure <= budget,
                }
            )
    cold = results["cold_start"]
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


def _instructions_table(results: dict[str, Any]) -> list[str]:
    counted = results.get("instructions")
    if not counted:
        return ["", "INSTRUCTIONS: valgrind not found (make bench installs it when run as root)"]
    cold = counted["cold_start"]
    rows = [("cold start", "instructions (M)", "x floor", "x fair floor")]
    for group in GROUPS:
        name = function_name(group)
        for target in (name, floor_of(group), fair_floor_of(group)):
            rows.append(
                (
                    target,
                    f"{cold[target] / 1e6:.0f}",
                    _times(ratio(cold[target], cold[floor_of(group)])),
                    _times(ratio(cold[target], cold[fair_floor_of(group)])),
                )
            )
    rate = instructions_per_us(results)
    per = [("per warm request", "app (k)", "floor (k)", "fair (k)", "app - floor", "app - fair")]
    for group, operations in BUDGETED_OPERATIONS.items():
        for operation in operations.values():
            figures = counted["per_request"][group][operation]
            app, floor, fair = figures["app"], figures["floor"], figures["fair"]
            per.append(
                (
                    operation,
                    f"{app / 1e3:.0f}",
                    f"{floor / 1e3:.0f}",
                    f"{fair / 1e3:.0f}",
                    f"{(app - floor) / (rate or 1):.0f} us",
                    f"{(app - fair) / (rate or 1):.0f} us",
                )
            )
    return [
        "",
        "INSTRUCTIONS (valgrind cachegrind): one cold start of each on the emulator; per warm"
        f" request on the fakes, the difference of runs with 0 and {counted['requests_counted']}"
        f" requests; us at {rate} instructions per us (the app's measured rate here)",
        *_columns(rows),
        "",
        *_columns(per),
    ]


def _spread(summary: dict[str, Any] | None) -> str:
    if summary is None:
        return "-"
    return f"{summary['median']:.0f} [{summary['min']:.0f}-{summary['max']:.0f}]"


def _times(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _cold_table(cold: dict[str, Any], runs: int) -> list[str]:
    header = ("", "init", "1st request", "total", "x floor", "x fair", "+ startup", "RSS MB")
    rows = [header]
    for group in GROUPS:
        for name in (function_name(group), floor_of(group), fair_floor_of(group)):
            target = cold[name]
            total = target["total_ms"]["median"]
            floor_total = cold[floor_of(group)]["total_ms"]["median"]
            fair_total = cold[fair_floor_of(group)]["total_ms"]["median"]
            rows.append(
                (
                    name,
                    _spread(target["import_ms"]),
                    _spread(target["first_request_ms"]),
                    _spread(target["total_ms"]),
                    _times(ratio(total, floor_total)),
                    _times(ratio(total, fair_total)),
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
        *node.render(results.get("node")),
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
        *_instructions_table(results),
        *_listing_table(results.get("listing")),
        "",
        "BUDGETS",
    ]
    for verdict in results["budgets"]:
        figure = f"{verdict['figure']}{'x' if verdict['unit'] == 'x' else ' ' + verdict['unit']}"
        status = "met" if verdict["met"] else "NOT MET"
        lines.append(f"  {status:<8} {verdict['budget']}: {figure} ({verdict['measure']})")
    return "\n".join(lines)
