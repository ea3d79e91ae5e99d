"""The request line's metrics are what Powertools' EphemeralMetrics serializes, field for
field and in the same order, so CloudWatch reads them as it did."""

from __future__ import annotations

import json
import time

import pytest
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from api.web.observability import SERVICE, embedded_metrics


def powertools_metrics(namespace: str, operation: str, status: int, duration_ms: float):
    metrics = EphemeralMetrics(namespace=namespace, service=SERVICE)
    metrics.add_dimension(name="operation", value=operation)
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=duration_ms)
    metrics.add_metric(name="ClientErrors", unit=MetricUnit.Count, value=int(400 <= status < 500))
    metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=int(status >= 500))
    return dict(metrics.serialize_metric_set())


def as_rendered(fields, timestamp):
    # The log line renders with json.dumps: the order of members is what CloudWatch gets.
    return json.dumps({**fields, "_aws": {**fields["_aws"], "Timestamp": timestamp}})


@pytest.mark.parametrize(
    ("operation", "status", "duration_ms"),
    [("getUser", 200, 1.25), ("createUser", 409, 0.5), ("listAssets", 503, 12.0), ("x", 201, 3)],
)
def test_the_metrics_render_as_powertools_renders_them(operation, status, duration_ms):
    before = int(time.time() * 1000)
    ours = embedded_metrics("Ns", operation, status, duration_ms)
    after = int(time.time() * 1000)
    theirs = powertools_metrics("Ns", operation, status, duration_ms)

    assert before <= ours["_aws"]["Timestamp"] <= after
    assert as_rendered(ours, 0) == as_rendered(theirs, 0)
    assert json.loads(as_rendered(ours, 0)) == json.loads(as_rendered(theirs, 0))


def test_one_request_lines_metrics_do_not_change_the_next_ones():
    first = embedded_metrics("Ns", "getUser", 200, 1.0)
    json.dumps(first)
    second = embedded_metrics("Other", "createUser", 500, 2.0)

    assert first["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Ns"
    assert (second["operation"], second["ServerErrors"]) == ("createUser", [1.0])
