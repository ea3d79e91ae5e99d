"""`python -m bench.profile`: where the cold start and a warm request spend their time.

Prints, and writes to bench/results/profile.txt:
- import time by top-level package, per phase of the cold start (`python -X importtime`);
- the cold start without bytecode caches (as a bundle without .pyc files would start);
- cProfile of the init (import and app build) and of the first request of the users function;
- warm requests on zero-latency fakes: a ladder of ever fuller stacks, and cProfile's
  own time by package per request.
"""

from __future__ import annotations

import argparse
import json
import pstats
import re
import statistics
import sysconfig
import tempfile
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from api.paths import ROOT
from bench.child import run_child
from bench.cold_child import PHASE_MARK
from bench.emulator import EmulatorProcess
from bench.environment import RESULTS_DIR, Runtime, handler_runtime, machine
from bench.handlers import ENTRY_POINTS
from bench.workload import bench_event

_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")
_STDLIB = sysconfig.get_paths()["stdlib"]
# A package installed in a virtualenv or in the Lambda bundle.
_INSTALLED = re.compile(r"(?:site-packages|lambda-bundle-[0-9a-f]+)/([^/]+)")
_PHASE_NAMES = {"import": "init (import, app build, warm-up)", "request": "first request"}


def package_of_module(name: str) -> str:
    return name.split(".", 1)[0]


def package_of_file(filename: str) -> str:
    """The top-level package (or stdlib module) a profiled function's file belongs to."""
    if filename == "~":
        return "(built-in)"
    if filename.startswith("<frozen"):
        return "(import machinery)"
    installed = _INSTALLED.search(filename)
    if installed:
        return installed.group(1).removesuffix(".py")
    if filename.startswith(str(ROOT)):
        return Path(filename).relative_to(ROOT).parts[0].removesuffix(".py")
    if filename.startswith(_STDLIB):
        return Path(filename).relative_to(_STDLIB).parts[0].removesuffix(".py")
    return filename


def import_times(stderr: str) -> dict[str, dict[str, int]]:
    """Self time (µs) by top-level package, per phase, from `-X importtime` output."""
    phases: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    phase = "startup"
    for line in stderr.splitlines():
        if line.startswith(PHASE_MARK):
            phase = line[len(PHASE_MARK) :].strip()
            continue
        match = _IMPORT_LINE.match(line)
        if match:
            phases[phase][package_of_module(match.group(4))] += int(match.group(1))
    return {p: dict(packages) for p, packages in phases.items()}


def importtime_section(entry: str, event: Mapping[str, Any], runtime: Runtime) -> list[str]:
    runs = [
        run_child(
            "bench.cold_child",
            [entry],
            runtime,
            json.dumps(event),
            python_flags=("-X", "importtime"),
            keep_stderr=True,
        )
        for _ in range(3)
    ]
    parsed = [import_times(run["stderr"]) for run in runs]
    lines = [f"  {entry} (median of {len(runs)} runs under -X importtime, which itself adds)"]
    for phase in _PHASE_NAMES:
        packages = {pkg for run in parsed for pkg in run.get(phase, {})}
        if not packages:
            continue
        medians = {
            pkg: statistics.median(run.get(phase, {}).get(pkg, 0) for run in parsed)
            for pkg in packages
        }
        total = sum(medians.values())
        top = sorted(medians.items(), key=lambda item: -item[1])[:10]
        label = _PHASE_NAMES[phase]
        shown = ", ".join(f"{pkg} {us / 1000:.0f}" for pkg, us in top if us >= 500)
        lines.append(f"    {label}: {total / 1000:.0f} ms of imports: {shown}")
    return lines


def no_bytecode_section(entry: str, event: Mapping[str, Any], runtime: Runtime) -> list[str]:
    """Cold starts that compile every module from source, as without shipped .pyc files."""
    samples: dict[str, list[float]] = {"cached": [], "compiled": []}
    for _ in range(3):
        samples["cached"].append(
            run_child("bench.cold_child", [entry], runtime, json.dumps(event))["total_ms"]
        )
        with tempfile.TemporaryDirectory() as empty:
            run = run_child(
                "bench.cold_child",
                [entry],
                runtime,
                json.dumps(event),
                python_flags=("-X", f"pycache_prefix={empty}"),
                env={"PYTHONDONTWRITEBYTECODE": "1"},
            )
        samples["compiled"].append(run["total_ms"])
    cached, compiled = (statistics.median(samples[k]) for k in ("cached", "compiled"))
    return [
        f"  {entry}: {cached:.0f} ms with bytecode caches, {compiled:.0f} ms compiling"
        f" from source (+{compiled - cached:.0f} ms; median of 3)"
    ]


def pstats_section(
    path: str, title: str, *, per: int = 1, top: int = 12, by: str = "cumulative"
) -> list[str]:
    """Own time by package (C functions by name), and the functions with the most
    cumulative or own (`by="own"`) time."""
    stats: Any = pstats.Stats(path)
    unit, scale = ("us/request", 1e6 / per) if per > 1 else ("ms", 1e3)
    by_package: dict[str, float] = defaultdict(float)
    for (filename, _, function), (_, _, tottime, _, _) in stats.stats.items():
        package = package_of_file(filename)
        by_package[f"{function}" if package == "(built-in)" else package] += tottime
    total = sum(by_package.values())
    lines = [f"  {title}: {total * scale:.0f} {unit} profiled (cProfile inflates small calls)"]
    ranked = sorted(by_package.items(), key=lambda item: -item[1])[:top]
    lines.append("    own time by package or C function:")
    lines += [f"      {t * scale:8.0f}  {pkg}" for pkg, t in ranked if t * scale >= 1]
    column = 3 if by == "cumulative" else 2
    lines.append(f"    most {by} time ({unit}, calls; a coroutine counts each resumption):")
    ranked_functions = sorted(stats.stats.items(), key=lambda item: -item[1][column])
    shown = 0
    for (filename, line, function), figures in ranked_functions:
        package = package_of_file(filename)
        if by == "cumulative" and package in {"(built-in)", "(import machinery)", "bench"}:
            continue
        calls = figures[1] / per
        lines.append(
            f"      {figures[column] * scale:8.0f}  {calls:6.3g}  "
            f"{package}: {function} ({Path(filename).name}:{line})"
        )
        shown += 1
        if shown == top:
            break
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--requests", type=int, default=2000, help="warm requests profiled")
    args = parser.parse_args(argv)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = str(RESULTS_DIR / "profile")
    info = machine()
    lines = [f"Machine: {info['cpu']}, {info['cores']} cores, {info['python']}", ""]
    with EmulatorProcess() as endpoint:
        runtime = handler_runtime(endpoint)
        lines[1:1] = [f"Handlers run in {runtime.description}"]
        seeded = run_child("bench.seed", [], runtime)
        users_event = bench_event(path=f"/users/{seeded['user_id']}")
        assets_event = bench_event(path=f"/assets/{seeded['asset_id']}")
        targets = (
            (ENTRY_POINTS["users"], users_event),
            (ENTRY_POINTS["assets"], assets_event),
            (ENTRY_POINTS["floor"], users_event),
        )
        lines.append("IMPORTS BY PHASE OF THE COLD START (ms of self time by top-level package)")
        for entry, event in targets:
            lines += importtime_section(entry, event, runtime)
        lines += ["", "COLD START WITHOUT BYTECODE CACHES (every module compiled from source)"]
        for entry, event in targets[::2]:
            lines += no_bytecode_section(entry, event, runtime)
        lines += ["", "CPROFILE OF THE COLD START OF THE USERS FUNCTION (after its import)"]
        run_child(
            "bench.profile_child", ["cold", targets[0][0], out], runtime, json.dumps(users_event)
        )
        lines += pstats_section(f"{out}.build.pstats", "init: import, app build, warm-up")
        lines += pstats_section(f"{out}.request.pstats", "first request")
        warm = run_child("bench.profile_child", ["warm", out, str(args.requests)], runtime)
    lines += ["", "WARM REQUESTS ON ZERO-LATENCY FAKES (GET /users/{id}; median us per request)"]
    lines += [f"  {us:8.1f}  {rung}" for rung, us in warm["ladder_us"].items()]
    lines.append(f"  threads alive before and after the profiled requests: {warm['threads']}")
    lines += ["", "CPROFILE OF WARM REQUESTS ON FAKES (GET /users/{id} and PATCH, alternating)"]
    lines += pstats_section(
        f"{out}.warm.pstats", "main thread only", per=2 * args.requests, top=25, by="own"
    )
    text = "\n".join(lines)
    print(text)
    (RESULTS_DIR / "profile.txt").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
