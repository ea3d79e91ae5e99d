"""The template's saved Logs Insights queries, run over the lines the functions really write:
the Lambda handlers driven through a small flow (a cold start each, successes, client
problems, an AWS fault that outlasts the retries), their stdout read as Logs Insights reads
a JSON line. A field renamed in the application, or misnamed in a query, fails here."""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter

import pytest

from api.aws.clients import forget_clients
from api.functions.builders import assets_function, users_function
from tests.events import FakeLambdaContext, make_http_event
from tests.faults import THROTTLED, FaultInjector
from tests.ops.insights import event_from_line, run

FUNCTION_LOGS = {"UsersFunctionLogGroup", "AssetsFunctionLogGroup"}
FAILED_REQUEST = "req-throttled"


@pytest.fixture(scope="module")
def queries(stack):
    return {
        resource["Properties"]["Name"]["Fn::Sub"].split("/", 1)[1]: resource["Properties"]
        for resource in stack.of_type("AWS::Logs::QueryDefinition").values()
    }


@pytest.fixture
def written(settings, capsys):
    """Every line both functions write for the flow, as Logs Insights events."""
    settings = dataclasses.replace(settings, log_level="INFO")
    forget_clients()
    users, assets = users_function(settings), assets_function(settings)
    capsys.readouterr()
    lines: list[tuple[str, str]] = []

    def call(handler, log, **event):
        number = len(lines)
        request_id = event.pop("request_id", f"req-{number}")
        response = handler(make_http_event(request_id=request_id, **event), FakeLambdaContext())
        lines.extend((log, line) for line in capsys.readouterr().out.splitlines() if line)
        return response

    created = call(
        users,
        "users",
        method="POST",
        path="/users",
        body={"email": "ada@example.com", "name": "Ada"},
    )
    user_path = f"/users/{json.loads(created['body'])['userId']}"
    for _ in range(3):
        call(users, "users", path=user_path)
    call(
        users, "users", method="POST", path="/users", body={"email": "ada@example.com", "name": "A"}
    )
    call(users, "users", method="POST", path="/users", body={"email": "x", "name": "B"})
    call(users, "users", path="/users/00000000-0000-4000-8000-000000000000")
    injector = FaultInjector()
    injector.fail("GetItem", THROTTLED)
    with injector.active():
        failed = call(users, "users", path=user_path, request_id=FAILED_REQUEST)
    forget_clients()
    assert failed["statusCode"] == 503
    call(
        assets,
        "assets",
        method="POST",
        path="/assets",
        body={"fileName": "a.txt", "contentType": "text/plain", "size": 3},
    )
    call(assets, "assets", path="/assets")
    return [event_from_line(line, log=log) for log, line in lines]


def access_log_line(sam_template, request_id):
    """The API access log line API Gateway writes for `request_id`, from the template's format."""
    template = sam_template["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]["Format"]
    line = re.sub(r"\$context\.[A-Za-z.]+", "-", template.replace("$context.requestId", request_id))
    return event_from_line(line, log="api-access")


def test_every_query_reads_both_functions_log_groups(queries):
    for name, query in queries.items():
        groups = {group["Ref"] for group in query["LogGroupNames"]}
        assert groups >= FUNCTION_LOGS, name
    assert set(queries) == {
        "errors-by-operation",
        "latency-by-operation",
        "cold-starts",
        "init-durations",
        "one-request",
        "client-problems",
    }


def test_errors_by_operation_counts_the_server_errors_of_each_operation(queries, written):
    rows = run(queries["errors-by-operation"]["QueryString"], written)
    assert rows == [{"operation": "getUser", "status": 503, "errors": 1}]


def test_latency_by_operation_gives_percentiles_of_every_operation_served(queries, written):
    rows = run(queries["latency-by-operation"]["QueryString"], written)
    served = Counter(e["operation"] for e in written if e.get("event") == "request")
    assert {row["operation"]: row["requests"] for row in rows} == served
    assert set(served) == {"createUser", "getUser", "createAsset", "listAssets"}
    for row in rows:
        durations = [e["duration_ms"] for e in written if e.get("operation") == row["operation"]]
        assert row["slowest"] == max(durations)
        assert min(durations) <= row["p50"] <= row["p95"] <= row["p99"] <= row["slowest"]
    assert [row["p99"] for row in rows] == sorted((row["p99"] for row in rows), reverse=True)


def test_cold_starts_are_the_first_request_of_each_function(queries, written):
    rows = run(queries["cold-starts"]["QueryString"], written)
    assert {row["operation"]: row["coldStarts"] for row in rows} == {
        "createUser": 1,
        "createAsset": 1,
    }
    first_create = next(e for e in written if e.get("operation") == "createUser")
    assert rows[0]["firstRequestMs"] in (first_create["duration_ms"], rows[1]["firstRequestMs"])
    assert all(row["firstRequestMs"] > 0 for row in rows)


def test_init_durations_read_lambdas_report_lines_of_cold_invocations_only(queries):
    # Lambda's platform lines, as Logs Insights discovers their fields.
    reports: list[dict[str, object]] = [
        {"@type": "REPORT", "@log": "users", "@initDuration": 402.5, "@duration": 80.1},
        {"@type": "REPORT", "@log": "users", "@duration": 4.2},
        {"@type": "START", "@log": "users"},
    ]
    rows = run(queries["init-durations"]["QueryString"], reports)
    assert rows == [
        {
            "@log": "users",
            "coldStarts": 1,
            "p50InitMs": 402.5,
            "p99InitMs": 402.5,
            "slowestInitMs": 402.5,
        }
    ]


def test_one_request_shows_every_line_of_that_request_and_its_access_log(
    queries, written, sam_template
):
    query = queries["one-request"]
    assert {"Ref": "ApiAccessLogGroup"} in query["LogGroupNames"]
    events = [
        *written,
        access_log_line(sam_template, FAILED_REQUEST),
        access_log_line(sam_template, "other"),
    ]
    rows = run(query["QueryString"].replace("REQUEST_ID", FAILED_REQUEST), events)
    messages = [json.loads(row["@message"]) for row in rows]
    assert [m.get("event") for m in messages] == ["aws_unavailable", "request", None]
    assert messages[0]["error_code"] == "ThrottlingException"
    assert messages[1]["status"] == 503
    assert messages[2]["requestId"] == FAILED_REQUEST


def test_client_problems_are_ranked_by_status_route_and_operation(queries, written):
    rows = run(queries["client-problems"]["QueryString"], written)
    assert sorted(
        (row["status"], row["method"], row["route"], row["operation"], row["problems"])
        for row in rows
    ) == [
        (400, "POST", "/users", "createUser", 1),
        (404, "GET", "/users/{userId}", "getUser", 1),
        (409, "POST", "/users", "createUser", 1),
    ]
