"""The monthly cost of the stack for a request rate and mix of operations.

    python -m ops cost --per-day 1000 1e6 1e8 [--mix getUser=40,listUsers=20,...]

From the template (memory and architecture of each function, the alarms' metrics, the
secrets, whether CloudFront is on by default), the warm durations `make bench` measured
(bench/results/bench.json), what each operation consumes on DynamoDB and S3
(ops/consumption.json, counted by `python -m ops consumption`), and the prices in PRICES.
Everything the model assumes beyond those is in ASSUMPTIONS, printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.paths import ROOT
from api.resources import function_for_tag
from api.spec import load_spec, operations
from deploy.api_definition import NODE_CONDITION
from ops.consumption import CONSUMPTION_PATH, S3_TIER_1

TEMPLATE_PATH = ROOT / "template.yaml"
BENCH_PATH = ROOT / "bench" / "results" / "bench.json"
DAYS_PER_MONTH = 30

# List prices, us-east-1, on-demand, in USD; free tiers only where they never expire.
PRICES_AS_OF = "2025-06"
PRICES: dict[str, float] = {
    "api_gateway_http_per_million": 1.00,  # the first 300 million a month
    "api_gateway_http_per_million_beyond": 0.90,
    "lambda_requests_per_million": 0.20,
    "lambda_gb_second_x86_64": 0.0000166667,
    "lambda_gb_second_arm64": 0.0000133334,
    "lambda_free_requests": 1_000_000,
    "lambda_free_gb_seconds": 400_000,
    "dynamodb_write_units_per_million": 0.625,  # on-demand, since November 2024
    "dynamodb_read_units_per_million": 0.125,
    "dynamodb_storage_gb_month": 0.25,
    "dynamodb_free_storage_gb": 25,
    "dynamodb_pitr_gb_month": 0.20,
    "s3_tier_1_per_thousand": 0.005,  # PUT, COPY, POST, LIST
    "s3_tier_2_per_thousand": 0.0004,  # GET, HEAD and the rest
    "s3_storage_gb_month": 0.023,
    # To the internet, after 100 GB free: the first 10 TB, the next 40, the next 100, beyond.
    "transfer_out_gb": 0.09,
    "transfer_out_gb_next_40_tb": 0.085,
    "transfer_out_gb_next_100_tb": 0.07,
    "transfer_out_gb_beyond_150_tb": 0.05,
    "transfer_free_gb": 100,
    "cloudfront_https_per_10k": 0.0100,  # North America and Europe
    "cloudfront_transfer_out_gb": 0.085,
    "cloudfront_free_requests": 10_000_000,
    "cloudfront_free_gb": 1000,
    "logs_ingestion_gb": 0.50,
    "logs_storage_gb_month": 0.03,
    "logs_free_gb": 5,
    "custom_metric_month": 0.30,
    "free_custom_metrics": 10,
    "alarm_metric_month": 0.10,
    "free_alarm_metrics": 10,
    "secret_month": 0.40,
}

ASSUMPTIONS: dict[str, float] = {
    # Bytes per request of each log line: the function's request line with its EMF metrics
    # (measured: 695), Lambda's START, END and REPORT lines, API Gateway's access log line
    # (the template's format, filled: 230).
    "app_log_bytes": 695,
    "platform_log_bytes": 350,
    "access_log_bytes": 230,
    # An execution environment lives about an hour, then a cold start replaces it; peak
    # concurrency is twice the mean.
    "environment_hours": 1.0,
    "peak_to_mean": 2.0,
    "response_kb": 1.0,
    "file_mb": 1.0,
    "item_kb": 1.0,  # a user or asset item, with each of its GSI copies
}
# Every asset created is uploaded, and its upload's event confirms it (one more invocation).
FOLLOWS = {"createAsset": "confirmUpload"}
WARM_UP_PINGS_PER_DAY = 24 * 60 / 5
DEFAULT_MIX = (
    "getUser=30,listUsers=15,createUser=5,updateUser=5,deleteUser=2,getAsset=15,"
    "listAssets=8,createAsset=8,downloadAsset=10,deleteAsset=1,getHealth=1"
)


@dataclass(frozen=True)
class Function:
    """A function as the template deploys it."""

    logical_id: str
    memory_mb: int
    architecture: str


def template_facts(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """What the model reads from the template: functions, alarm metrics, secrets, CloudFront."""
    from samtranslator.yaml_helper import yaml_parse

    template = yaml_parse(path.read_text(encoding="utf-8"))
    defaults = template["Globals"]["Function"]
    resources = template["Resources"]
    functions = {}
    for name, resource in resources.items():
        # The TypeScript twins (Runtime nodejs) replace the Python functions, never join them.
        if (
            resource["Type"] == "AWS::Serverless::Function"
            and resource.get("Condition") != NODE_CONDITION
        ):
            properties = {**defaults, **resource["Properties"]}
            (architecture,) = properties.get("Architectures", ["x86_64"])
            functions[name] = Function(name, int(properties["MemorySize"]), architecture)
    alarm_metrics = sum(
        len([m for m in r["Properties"]["Metrics"] if "MetricStat" in m])
        if "Metrics" in r["Properties"]
        else 1
        for r in resources.values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    )
    return {
        "functions": functions,
        "alarm_metrics": alarm_metrics,
        "secrets": sum(r["Type"] == "AWS::SecretsManager::Secret" for r in resources.values()),
        "cloudfront": template["Parameters"]["CloudFront"]["Default"] == "true",
    }


def function_of_operation() -> dict[str, str]:
    """operationId -> the logical id of the function serving it; the upload's confirmation
    is the assets function's."""
    found = {}
    for _, _, operation, _ in operations(load_spec()):
        function = function_for_tag(operation["tags"][0])
        assert function is not None
        found[operation["operationId"]] = function.logical_id
    found["confirmUpload"] = found["createAsset"]
    return found


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def billed_ms(bench: Mapping[str, Any], served_by: Mapping[str, str]) -> dict[str, int]:
    """Each operation's billed duration: its warm p50 in `make bench`, rounded up to the
    millisecond as Lambda bills; an operation the bench does not time is billed as the
    quickest of its function's timed ones."""
    measured = {
        _camel(op): figures["p50_us"] / 1000
        for group in bench["warm"].values()
        for op, figures in group["app"]["operations"].items()
    }
    quickest: dict[str, float] = {}
    for op, ms in measured.items():
        function = served_by[op]
        quickest[function] = min(quickest.get(function, ms), ms)
    return {op: math.ceil(measured.get(op, quickest[fn])) for op, fn in served_by.items()}


def cold_start_ms(bench: Mapping[str, Any]) -> dict[str, float]:
    """Each function's cold start (import, build, first request), billed as Lambda bills
    the init phase since 2025."""
    return {
        name: figures["total_ms"]["median"]
        for name, figures in bench["cold_start"].items()
        if not name.startswith("floor")
    }


def parse_mix(text: str) -> dict[str, float]:
    weights = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        weights[name.strip()] = float(weight)
    total = sum(weights.values())
    return {name: weight / total for name, weight in weights.items()}


def monthly_cost(
    per_day: float,
    mix: Mapping[str, float],
    *,
    facts: Mapping[str, Any],
    consumption: Mapping[str, Any],
    durations_ms: Mapping[str, int],
    cold_ms: Mapping[str, float],
    served_by: Mapping[str, str],
    cloudfront: bool,
    prices: Mapping[str, float] = PRICES,
    assume: Mapping[str, float] = ASSUMPTIONS,
) -> dict[str, float]:
    """USD a month, by component, for `per_day` API requests mixed as `mix` (fractions)."""
    unknown = set(mix) - set(consumption)
    if unknown:
        raise ValueError(f"unknown operations {sorted(unknown)}; known: {sorted(consumption)}")
    month = per_day * DAYS_PER_MONTH
    calls = {op: share * month for op, share in mix.items()}
    for op, follower in FOLLOWS.items():
        calls[follower] = calls.get(follower, 0) + calls.get(op, 0)
    api_requests = sum(n for op, n in calls.items() if op not in FOLLOWS.values())
    cost: dict[str, float] = {}

    first = min(api_requests, 300e6)
    cost["API Gateway requests"] = (
        first / 1e6 * prices["api_gateway_http_per_million"]
        + (api_requests - first) / 1e6 * prices["api_gateway_http_per_million_beyond"]
    )

    functions = facts["functions"]
    gb_seconds = {name: 0.0 for name in functions}
    invocations = {name: DAYS_PER_MONTH * WARM_UP_PINGS_PER_DAY for name in functions}
    for op, n in calls.items():
        function = served_by[op]
        invocations[function] += n
        gb_seconds[function] += n * durations_ms[op] / 1000 * functions[function].memory_mb / 1024
    for name, function in functions.items():
        mean_s = (gb_seconds[name] / (function.memory_mb / 1024)) / (month or 1)
        peak = max(1, math.ceil(per_day / 86400 * assume["peak_to_mean"] * max(mean_s, 0.001)))
        cold_starts = peak * 24 / assume["environment_hours"] * DAYS_PER_MONTH
        gb_seconds[name] += cold_starts * cold_ms[name] / 1000 * function.memory_mb / 1024
    lambda_requests = max(0.0, sum(invocations.values()) - prices["lambda_free_requests"])
    cost["Lambda requests"] = lambda_requests / 1e6 * prices["lambda_requests_per_million"]
    billable = max(0.0, sum(gb_seconds.values()) - prices["lambda_free_gb_seconds"])
    (architecture,) = {f.architecture for f in functions.values()}
    cost["Lambda duration"] = billable * prices[f"lambda_gb_second_{architecture}"]

    reads = sum(n * sum(consumption[op]["dynamodb_read_units"].values()) for op, n in calls.items())
    writes = sum(
        n * sum(consumption[op]["dynamodb_write_units"].values()) for op, n in calls.items()
    )
    cost["DynamoDB reads"] = reads / 1e6 * prices["dynamodb_read_units_per_million"]
    cost["DynamoDB writes"] = writes / 1e6 * prices["dynamodb_write_units_per_million"]
    # Stored: a month of users created, and the assets of the last 30 days (they expire);
    # each item counted with its GSI copies in item_kb.
    stored_gb = (calls.get("createUser", 0) + calls.get("createAsset", 0)) * assume["item_kb"] / 1e6
    cost["DynamoDB storage and recovery"] = (
        max(0.0, stored_gb - prices["dynamodb_free_storage_gb"])
        * prices["dynamodb_storage_gb_month"]
        + stored_gb * prices["dynamodb_pitr_gb_month"]
    )

    tier_1 = tier_2 = 0.0
    for op, n in calls.items():
        for request, count in consumption[op]["s3_requests"].items():
            if request in S3_TIER_1:
                tier_1 += n * count
            else:
                tier_2 += n * count
    cost["S3 requests"] = (
        tier_1 / 1000 * prices["s3_tier_1_per_thousand"]
        + tier_2 / 1000 * prices["s3_tier_2_per_thousand"]
    )
    files_gb = calls.get("createAsset", 0) * assume["file_mb"] / 1024
    cost["S3 storage"] = files_gb * prices["s3_storage_gb_month"]
    downloaded_gb = calls.get("downloadAsset", 0) * assume["file_mb"] / 1024
    responses_gb = api_requests * assume["response_kb"] / 1024 / 1024
    if cloudfront:
        cost["CloudFront requests"] = (
            max(0.0, api_requests - prices["cloudfront_free_requests"])
            / 1e4
            * prices["cloudfront_https_per_10k"]
        )
        cost["CloudFront transfer out"] = (
            max(0.0, responses_gb - prices["cloudfront_free_gb"])
            * prices["cloudfront_transfer_out_gb"]
        )
        direct_gb = downloaded_gb
    else:
        direct_gb = downloaded_gb + responses_gb
    cost["Transfer out (downloads from S3, API without CloudFront)"] = tiered(
        max(0.0, direct_gb - prices["transfer_free_gb"]),
        [
            (10 * 1024, prices["transfer_out_gb"]),
            (40 * 1024, prices["transfer_out_gb_next_40_tb"]),
            (100 * 1024, prices["transfer_out_gb_next_100_tb"]),
            (math.inf, prices["transfer_out_gb_beyond_150_tb"]),
        ],
    )

    log_gb = (
        sum(invocations.values()) * (assume["app_log_bytes"] + assume["platform_log_bytes"])
        + api_requests * assume["access_log_bytes"]
    ) / 1024**3
    cost["CloudWatch Logs"] = (
        max(0.0, log_gb - prices["logs_free_gb"]) * prices["logs_ingestion_gb"]
        + log_gb * prices["logs_storage_gb_month"]
    )
    # Embedded metrics: Requests, Latency, ClientErrors, ServerErrors per operation.
    metrics = 4 * len([op for op in served_by if op not in FOLLOWS.values()])
    cost["CloudWatch metrics and alarms"] = (
        max(0, metrics - prices["free_custom_metrics"]) * prices["custom_metric_month"]
        + max(0, facts["alarm_metrics"] - prices["free_alarm_metrics"])
        * prices["alarm_metric_month"]
    )
    cost["Secrets Manager"] = facts["secrets"] * prices["secret_month"]
    return cost


def tiered(quantity: float, tiers: Sequence[tuple[float, float]]) -> float:
    """The price of `quantity` billed by `tiers`: (size of the tier, unit price), in order."""
    total, left = 0.0, quantity
    for size, price in tiers:
        used = min(left, size)
        total += used * price
        left -= used
    return total


def render(per_day: Sequence[float], costs: Sequence[Mapping[str, float]]) -> str:
    header = "| monthly, USD | " + " | ".join(f"{d:,.0f}/day" for d in per_day) + " |"
    lines = [header, "| --- |" + " ---: |" * len(per_day)]
    for component in costs[0]:
        lines.append(f"| {component} | " + " | ".join(f"{c[component]:,.2f}" for c in costs) + " |")
    lines.append("| **total** | " + " | ".join(f"**{sum(c.values()):,.2f}**" for c in costs) + " |")
    lines.append("| largest | " + " | ".join(max(c, key=lambda k: c[k]) for c in costs) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops cost", description=__doc__)
    parser.add_argument("--per-day", type=float, nargs="+", default=[1e3, 1e6, 1e8])
    parser.add_argument("--mix", default=DEFAULT_MIX, help=f"operation=weight,... ({DEFAULT_MIX})")
    parser.add_argument("--bench", type=Path, default=BENCH_PATH, help="make bench's results")
    parser.add_argument("--cloudfront", choices=["on", "off"], help="default: the template's")
    parser.add_argument(
        "--file-mb", type=float, default=ASSUMPTIONS["file_mb"], help="mean size of an asset's file"
    )
    args = parser.parse_args(argv)
    if not args.bench.exists():
        print(f"{args.bench} is missing: run `make bench` (or `python -m bench --quick`) first")
        return 2
    bench = json.loads(args.bench.read_text(encoding="utf-8"))
    facts = template_facts()
    served_by = function_of_operation()
    consumption = json.loads(CONSUMPTION_PATH.read_text(encoding="utf-8"))
    durations = billed_ms(bench, served_by)
    cloudfront = facts["cloudfront"] if args.cloudfront is None else args.cloudfront == "on"
    mix = parse_mix(args.mix)
    assume = {**ASSUMPTIONS, "file_mb": args.file_mb}
    costs = [
        monthly_cost(
            d,
            mix,
            facts=facts,
            consumption=consumption,
            durations_ms=durations,
            cold_ms=cold_start_ms(bench),
            served_by=served_by,
            cloudfront=cloudfront,
            assume=assume,
        )
        for d in args.per_day
    ]
    print(f"Prices: us-east-1 list prices as of {PRICES_AS_OF}; bench run {bench['started_at']}")
    functions = ", ".join(
        f"{f.logical_id} {f.memory_mb} MB {f.architecture}" for f in facts["functions"].values()
    )
    print(f"Functions: {functions}; CloudFront {'on' if cloudfront else 'off'}")
    print("Billed ms per call: " + ", ".join(f"{op} {ms}" for op, ms in durations.items()))
    print("Mix: " + ", ".join(f"{op} {share:.0%}" for op, share in mix.items()))
    print("Assumptions: " + ", ".join(f"{k}={v:g}" for k, v in assume.items()))
    print()
    print(render(args.per_day, costs))
    return 0
