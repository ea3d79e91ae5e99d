"""`python -m bench`: measure, print the table and write bench/results/bench.json."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from typing import Any

from bench import cold_start, instructions, node, warm
from bench.child import run_child
from bench.emulator import EmulatorProcess
from bench.environment import RESULTS_DIR, handler_runtime, machine, source_state
from bench.handlers import ENTRY_POINTS, GROUPS, entry_point, function_name
from bench.report import budgets, fair_floor_of, floor_of, render
from bench.workload import bench_event

FULL = {"cold_runs": 10, "requests": 1000, "warmup": 30, "rounds": 2}
QUICK = {"cold_runs": 3, "requests": 100, "warmup": 10, "rounds": 2}
# Requests counted per operation under Valgrind (the count per request is a difference).
COUNTED_REQUESTS = {"full": 200, "quick": 50}
# The filtered listings (bench/listing.py): users in the table, how long the walk of the code
# before the budget may go on (Lambda's timeout in a full run), first pages timed.
LISTING = {"users": 10_000, "deadline_s": 30.0, "requests": 20}
LISTING_QUICK = {"users": 10_000, "deadline_s": 5.0, "requests": 5}


def parse_args(argv: list[str] | None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run: few runs, few requests")
    parser.add_argument(
        "--cold-runs", type=int, help=f"cold starts of each handler ({FULL['cold_runs']})"
    )
    parser.add_argument(
        "--requests", type=int, help=f"timed requests per operation ({FULL['requests']})"
    )
    parser.add_argument("--warmup", type=int, help=f"untimed requests first ({FULL['warmup']})")
    parser.add_argument("--rounds", type=int, help="alternating processes per handler (2)")
    parser.add_argument(
        "--no-bundle",
        action="store_true",
        help="run the handlers on the virtualenv's packages instead of a Lambda-like bundle",
    )
    parser.add_argument("--out", default=str(RESULTS_DIR / "bench.json"), help="the JSON file")
    args = parser.parse_args(argv)
    config: dict[str, Any] = {**(QUICK if args.quick else FULL), "quick": args.quick}
    for name in FULL:
        if getattr(args, name) is not None:
            config[name] = getattr(args, name)
    if config["cold_runs"] < 2 or config["requests"] < 100 or config["rounds"] < 1:
        parser.error("at least 2 cold runs, 100 requests and 1 round")
    config["out"] = args.out
    config["bundle"] = not args.no_bundle
    config["listing"] = LISTING_QUICK if args.quick else LISTING
    return config


def progress(message: str) -> None:
    sys.stderr.write(f"[bench] {message}\n")
    sys.stderr.flush()


def measure(config: dict[str, Any]) -> dict[str, Any]:
    results: dict[str, Any] = {
        "machine": machine(),
        "source": source_state(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {k: v for k, v in config.items() if k != "out"},
    }
    started = time.perf_counter()
    with EmulatorProcess() as endpoint:
        runtime = handler_runtime(endpoint, use_bundle=config["bundle"])
        results["runtime"] = {"handlers_run_in": runtime.description, **runtime.details}
        progress(f"emulator at {endpoint}; handlers run in {runtime.description}")
        seeded = run_child("bench.seed", [], runtime)
        requests = {
            "users": bench_event(path=f"/users/{seeded['user_id']}"),
            "assets": bench_event(path=f"/assets/{seeded['asset_id']}"),
        }
        targets = {}
        for group in GROUPS:
            event = requests[group]
            targets[function_name(group)] = (ENTRY_POINTS[entry_point("app", group)], event)
            targets[floor_of(group)] = (ENTRY_POINTS[entry_point("floor", group)], event)
            targets[fair_floor_of(group)] = (ENTRY_POINTS[entry_point("fair", group)], event)
        progress(f"cold starts: {config['cold_runs']} of each of {len(targets)}")
        results["cold_start"] = cold_start.measure(targets, config["cold_runs"], runtime)
        progress("the TypeScript functions: bundle sizes, cold starts and warm latency")
        results["node"] = node.measure(
            requests,
            endpoint,
            cold_runs=config["cold_runs"],
            requests=config["requests"],
            warmup=config["warmup"],
        )
        if instructions.valgrind() is None:
            progress("valgrind not found: no instruction counts (make bench installs it as root)")
            results["instructions"] = None
        else:
            counted = COUNTED_REQUESTS["quick" if config["quick"] else "full"]
            progress(f"instructions (valgrind): a cold start of each, {counted} requests per op")
            results["instructions"] = {
                "cold_start": instructions.cold_starts(targets, runtime),
                "per_request": instructions.per_request(counted, runtime),
                "requests_counted": counted,
            }
        for key, backend in (("warm", "emulator"), ("overhead", "fakes")):
            results[key] = {}
            for group in GROUPS:
                progress(f"{key}: {group} operations on {backend}, {config['requests']} each")
                results[key][group] = warm.measure(
                    group, backend, config["requests"], config["warmup"], config["rounds"], runtime
                )
        listing = config["listing"]
        progress(
            f"listings: {listing['users']} users; the walk before the budget for at most"
            f" {listing['deadline_s']:.0f} s"
        )
        results["listing"] = run_child(
            "bench.listing",
            [str(listing["users"]), str(listing["deadline_s"]), str(listing["requests"])],
            runtime,
        )
    results["duration_s"] = round(time.perf_counter() - started, 1)
    results["budgets"] = budgets(results)
    return results


def main(argv: list[str] | None = None) -> None:
    config = parse_args(argv)
    results = measure(config)
    table = render(results)
    results["table"] = table.splitlines()
    print(table)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    with open(config["out"], "w", encoding="utf-8") as out:
        json.dump(results, out, indent=2)
        out.write("\n")
    progress(f"wrote {config['out']}")
