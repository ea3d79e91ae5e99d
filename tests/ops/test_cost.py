"""ops/cost.py: the template's facts, the billed durations, and one operation's monthly cost
worked out by hand from the price table."""

from __future__ import annotations

import json

import pytest

from ops import cost
from ops.consumption import CONSUMPTION_PATH
from ops.cost import (
    ASSUMPTIONS,
    DAYS_PER_MONTH,
    PRICES,
    WARM_UP_PINGS_PER_DAY,
    billed_ms,
    function_of_operation,
    monthly_cost,
    parse_mix,
    template_facts,
    tiered,
)

BENCH = {
    "started_at": "2026-12-02T07:00:00+00:00",
    "warm": {
        "users": {
            "app": {
                "operations": {"get_user": {"p50_us": 5248.5}, "list_users": {"p50_us": 19000.0}}
            }
        },
        "assets": {"app": {"operations": {"get_asset": {"p50_us": 4158.2}}}},
    },
    "cold_start": {
        "UsersFunction": {"total_ms": {"median": 400.0}},
        "AssetsFunction": {"total_ms": {"median": 406.0}},
        "floor (users)": {"total_ms": {"median": 184.0}},
    },
}


@pytest.fixture(scope="module")
def facts():
    return template_facts()


def test_the_template_gives_memory_architecture_alarm_metrics_secrets_and_cloudfront(facts, stack):
    assert {(f.memory_mb, f.architecture) for f in facts["functions"].values()} == {(512, "x86_64")}
    assert set(facts["functions"]) == {"UsersFunction", "AssetsFunction"}
    counted = 0
    for alarm in stack.of_type("AWS::CloudWatch::Alarm").values():
        queries = alarm["Properties"].get("Metrics")
        counted += len([q for q in queries if "MetricStat" in q]) if queries else 1
    assert facts["alarm_metrics"] == counted
    assert facts["secrets"] == len(stack.of_type("AWS::SecretsManager::Secret"))
    assert facts["cloudfront"] is True


def test_durations_are_the_bench_p50_rounded_up_to_the_millisecond_as_lambda_bills():
    served_by = function_of_operation()
    billed = billed_ms(BENCH, served_by)
    assert (billed["getUser"], billed["listUsers"], billed["getAsset"]) == (6, 19, 5)
    # Not timed by the bench: the quickest timed operation of the same function.
    assert (billed["createUser"], billed["confirmUpload"]) == (6, 5)


def test_an_unknown_operation_in_the_mix_is_refused(facts):
    consumption = json.loads(CONSUMPTION_PATH.read_text(encoding="utf-8"))
    with pytest.raises(ValueError, match="getUsers"):
        monthly_cost(
            1000,
            {"getUsers": 1.0},
            facts=facts,
            consumption=consumption,
            durations_ms={},
            cold_ms={},
            served_by=function_of_operation(),
            cloudfront=False,
        )


def test_tiers_are_billed_in_order():
    assert tiered(15, [(10, 1.0), (10, 0.5)]) == 12.5
    assert parse_mix("a=3,b=1") == {"a": 0.75, "b": 0.25}


def test_a_million_get_user_a_day_costs_what_the_price_table_says(facts):
    consumption = json.loads(CONSUMPTION_PATH.read_text(encoding="utf-8"))
    served_by = function_of_operation()
    durations = billed_ms(BENCH, served_by)
    got = monthly_cost(
        1e6,
        {"getUser": 1.0},
        facts=facts,
        consumption=consumption,
        durations_ms=durations,
        cold_ms=cost.cold_start_ms(BENCH),
        served_by=served_by,
        cloudfront=False,
    )
    calls = 1e6 * DAYS_PER_MONTH  # 30 million GetItem, strongly consistent, one unit each
    pings = 2 * DAYS_PER_MONTH * WARM_UP_PINGS_PER_DAY
    assert got["API Gateway requests"] == pytest.approx(30.00)
    assert got["Lambda requests"] == pytest.approx((calls + pings - 1e6) / 1e6 * 0.20)
    # 30 M x 6 ms x 0.5 GB = 90,000 GB-s, and the cold starts, within the 400,000 free.
    assert got["Lambda duration"] == 0
    assert got["DynamoDB reads"] == pytest.approx(calls * 1.0 / 1e6 * 0.125)
    # Each request counted against its caller's rate limit: one write unit.
    assert got["DynamoDB writes"] == pytest.approx(calls * 1 / 1e6 * 0.625)
    assert got["S3 requests"] == 0
    # 30 M answers of 1 KB: 29 GB, within the 100 GB a month transferred out free.
    assert calls * ASSUMPTIONS["response_kb"] / 1024**2 < 100
    assert got["Transfer out (downloads from S3, API without CloudFront)"] == 0
    log_gb = ((calls + pings) * (695 + 350) + calls * 230) / 1024**3
    assert got["CloudWatch Logs"] == pytest.approx((log_gb - 5) * 0.50 + log_gb * 0.03)
    metrics = 4 * 11  # four EMF metrics for each of the spec's 11 operations
    assert got["CloudWatch metrics and alarms"] == pytest.approx(
        (metrics - 10) * 0.30 + (facts["alarm_metrics"] - 10) * 0.10
    )
    assert got["Secrets Manager"] == 0.40
    assert PRICES["api_gateway_http_per_million"] == 1.00


def test_the_command_prints_a_table_for_each_rate(tmp_path, capsys):
    bench = tmp_path / "bench.json"
    bench.write_text(json.dumps(BENCH), encoding="utf-8")
    assert cost.main(["--per-day", "1000", "1e6", "--bench", str(bench)]) == 0
    out = capsys.readouterr().out
    assert "| monthly, USD | 1,000/day | 1,000,000/day |" in out
    assert "**total**" in out
    assert cost.main(["--bench", str(tmp_path / "none.json")]) == 2
