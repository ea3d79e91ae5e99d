"""The dashboard and the throttling alarms cover every function and table of the registry."""

from __future__ import annotations

import json
import re

import pytest

from api.resources import FUNCTIONS, TABLES
from tests.deploy.stack import function_in_use, table_in_use

_VARIABLE = re.compile(r"\$\{([A-Za-z0-9:]+(?:\.[A-Za-z]+)?)\}")


def dashboard(stack):
    """The dashboard's widgets, each ${Name} of its Fn::Sub left as the name, and each
    variable of the Sub replaced by the resource it names (the table or the function in use)."""
    (resource,) = stack.of_type("AWS::CloudWatch::Dashboard").values()
    body = resource["Properties"]["DashboardBody"]["Fn::Sub"]
    text, variables = (body, {}) if isinstance(body, str) else body
    functions = {function.logical_id for function in FUNCTIONS.values()}
    for variable, value in variables.items():
        name = variable.removesuffix("InUse")
        in_use = function_in_use(name) if name in functions else table_in_use(name)
        assert value == in_use, variable
        text = text.replace(f"${{{variable}}}", name)
    return json.loads(_VARIABLE.sub(r"\1", text)), variables


def metrics(widgets):
    return {
        (metric[0], metric[1], metric[3])
        for widget in widgets
        if widget["type"] == "metric"
        for metric in widget["properties"]["metrics"]
    }


def test_the_dashboard_shows_the_api_requests_errors_and_latency(stack):
    (body, _) = dashboard(stack)
    shown = metrics(body["widgets"])
    for metric in ("Count", "4xx", "5xx", "Latency", "IntegrationLatency"):
        assert ("AWS/ApiGateway", metric, "HttpApi") in shown


@pytest.mark.parametrize("function", [f.logical_id for f in FUNCTIONS.values()])
def test_the_dashboard_shows_each_functions_invocations_errors_throttles_and_duration(
    stack, function
):
    (body, _) = dashboard(stack)
    shown = metrics(body["widgets"])
    for metric in ("Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions"):
        assert ("AWS/Lambda", metric, function) in shown


@pytest.mark.parametrize("table", [t.logical_id for t in TABLES.values()])
def test_the_dashboard_shows_each_tables_consumed_capacity_and_throttles(stack, table):
    (body, _) = dashboard(stack)
    shown = metrics(body["widgets"])
    for metric in (
        "ConsumedReadCapacityUnits",
        "ConsumedWriteCapacityUnits",
        "ReadThrottleEvents",
        "WriteThrottleEvents",
    ):
        assert ("AWS/DynamoDB", metric, table) in shown


def test_the_dashboard_shows_the_state_of_every_alarm(stack):
    (body, _) = dashboard(stack)
    (alarms,) = [w["properties"]["alarms"] for w in body["widgets"] if w["type"] == "alarm"]
    assert {arn.removesuffix(".Arn") for arn in alarms} == set(
        stack.of_type("AWS::CloudWatch::Alarm")
    )


def throttle_alarm_of(stack, table):
    found = []
    for name, alarm in stack.of_type("AWS::CloudWatch::Alarm").items():
        queries = alarm["Properties"].get("Metrics", [])
        stats = [q["MetricStat"]["Metric"] for q in queries if "MetricStat" in q]
        if stats and all(
            s["Namespace"] == "AWS/DynamoDB"
            and s["Dimensions"] == [{"Name": "TableName", "Value": table_in_use(table)}]
            for s in stats
        ):
            found.append((name, alarm["Properties"], queries))
    (alarm,) = found
    return alarm


@pytest.mark.parametrize("table", [t.logical_id for t in TABLES.values()])
def test_an_alarm_fires_when_a_table_throttles_reads_or_writes(stack, table):
    _, alarm, queries = throttle_alarm_of(stack, table)
    by_id = {q["Id"]: q for q in queries}
    assert {by_id[i]["MetricStat"]["Metric"]["MetricName"] for i in ("reads", "writes")} == {
        "ReadThrottleEvents",
        "WriteThrottleEvents",
    }
    assert all(by_id[i]["MetricStat"]["Stat"] == "Sum" for i in ("reads", "writes"))
    (returned,) = [q for q in queries if q["ReturnData"]]
    # A minute without throttling has no data point; FILL makes the sum of the two 0.
    assert returned["Expression"] == "FILL(reads, 0) + FILL(writes, 0)"
    assert alarm["Threshold"] == 0
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (5, 2)
