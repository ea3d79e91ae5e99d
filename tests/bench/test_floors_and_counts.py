"""The fair floor, the instruction counts and the budgets of the benchmark's harness."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from typing import Any

import pytest

from api.paths import ROOT
from bench import instructions
from bench.handlers import fair_floor_with_fakes, handler_for
from bench.instructions_child import WARMUP, requests_of
from bench.report import BUDGETED_OPERATIONS, budgets, framework_cost_us, instructions_per_us
from bench.workload import Client, body_of, run_assets, run_users
from tests.events import FakeLambdaContext, make_http_event


def test_the_fair_floor_serves_every_benchmarked_operation_on_the_fakes(capsys):
    handler, upload = fair_floor_with_fakes()

    users, assets = run_users(handler, 2, 1), run_assets(handler, upload, 2, 1)

    assert not any(users.errors.values())
    assert not any(assets.errors.values())


def test_the_app_on_the_fakes_counts_each_request_when_the_limit_is_on():
    # In a process of its own: a function's app is built once per process.
    code = (
        "from bench.handlers import handler_for; from bench.workload import Client;"
        " client = Client(handler_for('app', 'users', 'fakes')[0]);"
        " print([client.send('POST', '/users', body={'email': f'c-{i}@example.com'},"
        " strict=False)[1]['statusCode'] for i in range(3)])"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "RATE_LIMIT_PER_MINUTE": "2"},
    )

    assert completed.stdout.strip().splitlines()[-1].endswith(", 429]")


@pytest.mark.parametrize("implementation", ["floor", "fair"])
def test_the_floors_count_each_request_as_the_app_does_when_the_limit_is_on(
    implementation, monkeypatch, capsys
):
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "1000")
    handler, _ = handler_for(implementation, "users", "fakes")
    client = Client(handler)

    for i in range(3):
        client.send("POST", "/users", body={"email": f"c-{i}@example.com", "name": "C"})

    floor: Any = getattr(handler, "_floor", handler)
    windows = floor._dynamodb().tables["RateLimits"]
    assert [(key.split("#")[0], item["hits"]) for key, item in windows.items()] == [
        ("admin-7f3a", {"N": "3"})
    ]


def test_the_fair_floor_logs_one_json_line_per_request_with_its_id(capsys):
    handler, _ = fair_floor_with_fakes()
    client = Client(handler)
    capsys.readouterr()

    client.send("POST", "/users", body={"email": "ada@example.com", "name": "Ada"})
    client.send("GET", "/users", query="limit=5")

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["request_id"], line["status"]) for line in lines] == [
        ("bench-1", 201),
        ("bench-2", 200),
    ]


def test_the_fair_floor_refuses_what_the_spec_refuses_with_a_problem_and_the_request_id():
    handler, _ = fair_floor_with_fakes()

    response = handler(
        make_http_event(method="POST", path="/users", body={"email": "a@b.c"}), FakeLambdaContext()
    )

    assert response["statusCode"] == 400
    assert response["headers"]["content-type"] == "application/problem+json"
    assert response["headers"]["x-request-id"] == "apigw-request-1"
    assert body_of(response)["requestId"] == "apigw-request-1"


def test_the_fair_floor_runs_on_botocore_without_boto3():
    code = "import sys, bench.fair_floor; print('boto3' in sys.modules)"
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )

    assert completed.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("entry", "services"), [("users", ["dynamodb"]), ("assets", ["dynamodb", "s3"])]
)
def test_each_fair_floor_entry_builds_the_clients_of_its_function_during_init(entry, services):
    code = (
        "import bench.fair_floor as f; built = []; f._client = lambda name: built.append(name);"
        f" import bench.fair_floor_{entry}; print(built)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )

    assert completed.stdout.strip() == str(services)


@pytest.mark.parametrize(
    ("group", "operation"),
    [(group, op) for group, ops in BUDGETED_OPERATIONS.items() for op in ops.values()],
)
@pytest.mark.parametrize("implementation", instructions.IMPLEMENTATIONS)
def test_the_counted_requests_of_every_implementation_succeed(implementation, group, operation):
    handler, upload = handler_for(implementation, group, "fakes")
    client = Client(handler)
    request = requests_of(operation, client, upload)

    for i in range(WARMUP + 2):
        method, path, body = request(i)
        client.send(method, path, body=body)  # raises unless 2xx


def test_valgrinds_count_is_read_from_its_summary_line():
    summary = "==7015== \n==7015== I   refs:      1,580,925,261\n"

    assert instructions._REFS.findall(summary) == ["1,580,925,261"]


def test_a_requests_instructions_are_the_difference_of_two_runs_over_their_requests(
    monkeypatch,
):
    def counted(module, args, runtime, stdin=""):
        implementation, _, _, requests = args
        return 1_000_000 + int(requests) * {"app": 900, "floor": 100, "fair": 300}[implementation]

    monkeypatch.setattr(instructions, "_counted", counted)

    per = instructions.per_request(50, runtime=None)  # type: ignore[arg-type]

    assert per["users"]["get_user"] == {"app": 900, "floor": 100, "fair": 300}
    assert set(per) == set(BUDGETED_OPERATIONS)


def results_with(app_instructions: float, p50_us: float, cold_ratio: float) -> dict[str, Any]:
    operations = [op for ops in BUDGETED_OPERATIONS.values() for op in ops.values()]
    per = {
        group: {op: {"app": app_instructions, "floor": 1000, "fair": 2000} for op in ops.values()}
        for group, ops in BUDGETED_OPERATIONS.items()
    }
    summary = {"median": 1.0, "min": 1.0, "max": 1.0}
    cold = {}
    for group in BUDGETED_OPERATIONS:
        name = {"users": "UsersFunction", "assets": "AssetsFunction"}[group]
        cold[name] = {"total_ms": summary, "peak_rss_mb": {**summary, "max": 80.0}}
        cold[f"floor ({group})"] = {"total_ms": summary}
        cold[f"fair floor ({group})"] = {"total_ms": summary}
    return {
        "cold_start": cold,
        "warm": {group: {"app": {"peak_rss_mb": 90.0}} for group in BUDGETED_OPERATIONS},
        "overhead": {
            group: {
                "app": {"operations": {op: {"p50_us": p50_us} for op in operations}},
                "floor": {"operations": {op: {"p50_us": 1.0} for op in operations}},
            }
            for group in BUDGETED_OPERATIONS
        },
        "instructions": {
            "cold_start": {
                **{name: 1000 * cold_ratio for name in ("UsersFunction", "AssetsFunction")},
                **{f"{kind}({g})": 1000 for kind in ("floor ", "fair floor ") for g in per},
            },
            "per_request": per,
            "requests_counted": 50,
        },
    }


def test_the_framework_cost_is_the_instructions_over_the_floors_at_the_apps_rate():
    results = results_with(app_instructions=2_001_000, p50_us=250.0, cold_ratio=1.3)

    assert instructions_per_us(results) == 8004.0
    assert framework_cost_us(results, "users", "get_user") == 249.9


def test_every_budget_is_judged_and_each_fails_past_its_limit():
    within = budgets(results_with(app_instructions=2_001_000, p50_us=250.0, cold_ratio=1.3))
    past = budgets(results_with(app_instructions=2_001_000, p50_us=450.0, cold_ratio=1.8))

    assert len(within) == 2 * 2 + 4 + 2
    assert all(verdict["met"] for verdict in within)
    assert [v["met"] for v in past if "RSS" not in v["budget"]] == [False] * 8


def test_the_floor_puts_each_user_in_the_list_shard_the_application_does():
    from api.users.list_shards import LIST_SHARDS, list_shard
    from bench import floor_handler

    ids = [str(uuid.UUID(int=n, version=4)) for n in range(1, 50)]
    assert floor_handler.LIST_SHARDS == LIST_SHARDS
    assert [floor_handler._list_shard(i) for i in ids] == [list_shard(i) for i in ids]
