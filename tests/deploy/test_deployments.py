"""Safe deployments: every function behind its alias, traffic shifted by CodeDeploy, rolled
back by the function's own alarms."""

from __future__ import annotations

import pytest

from api.resources import FUNCTIONS, function_for_tag
from api.settings import Settings
from api.spec import operations
from api.web.observability import SERVICE
from deploy.api_definition import LIVE_ALIAS
from tests.deploy.stack import function_in_use, names_referenced

FUNCTION_IDS = [function.logical_id for function in FUNCTIONS.values()]


def deployment_group_of(stack, function):
    alias = stack.resources[stack.alias_of(function)]
    update = alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
    (group,) = names_referenced(update["DeploymentGroupName"])
    return stack.properties(group)


def test_every_function_publishes_a_version_behind_the_alias_the_api_names(sam_template, stack):
    assert sam_template["Globals"]["Function"]["AutoPublishAlias"] == LIVE_ALIAS
    for function in FUNCTION_IDS:
        alias = stack.alias_of(function)
        assert alias == f"{function}Alias{LIVE_ALIAS}"
        assert stack.properties(alias)["Name"] == LIVE_ALIAS


@pytest.mark.parametrize("function", FUNCTION_IDS)
def test_traffic_shifts_gradually_and_rolls_back_when_an_alarm_fires(sam_template, stack, function):
    group = deployment_group_of(stack, function)
    config = group["DeploymentConfigName"]["Fn::Sub"]
    assert config[0] == "CodeDeployDefault.Lambda${ConfigName}"
    strategy = sam_template["Parameters"]["DeploymentStrategy"]
    assert config[1]["ConfigName"] == strategy["Default"]
    assert strategy["Default"].startswith(("Canary", "Linear"))
    assert group["AutoRollbackConfiguration"]["Enabled"] is True
    assert "DEPLOYMENT_STOP_ON_ALARM" in group["AutoRollbackConfiguration"]["Events"]
    assert group["AlarmConfiguration"]["Enabled"] is True
    alarms = {alarm["Name"]["Ref"] for alarm in group["AlarmConfiguration"]["Alarms"]}
    assert alarms == {
        f"{function}ErrorsAlarm",
        f"{function}ServerErrorsAlarm",
        f"{function}LatencyAlarm",
    }


@pytest.mark.parametrize("function", FUNCTION_IDS)
def test_the_server_errors_alarm_sums_the_5xx_of_every_operation_of_the_function(
    openapi, stack, function
):
    served = {
        operation["operationId"]
        for _, _, operation, _ in operations(openapi)
        if getattr(function_for_tag(operation["tags"][0]), "logical_id", None) == function
    }
    alarm = stack.properties(f"{function}ServerErrorsAlarm")
    stats = [q for q in alarm["Metrics"] if "MetricStat" in q]
    metrics = [q["MetricStat"]["Metric"] for q in stats]
    assert {m["Namespace"] for m in metrics} == {Settings().metrics_namespace}
    assert {m["MetricName"] for m in metrics} == {"ServerErrors"}
    dimensions = [{d["Name"]: d["Value"] for d in m["Dimensions"]} for m in metrics]
    # The dimensions of api/web/observability.py's metrics, exactly: CloudWatch matches all.
    assert {d["service"] for d in dimensions} == {SERVICE}
    assert sorted(d["operation"] for d in dimensions) == sorted(served)
    (total,) = [q for q in alarm["Metrics"] if q["ReturnData"]]
    assert total["Expression"] == " + ".join(f"FILL({q['Id']}, 0)" for q in stats)
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")


@pytest.mark.parametrize("function", FUNCTION_IDS)
def test_the_latency_alarm_watches_the_functions_live_alias(stack, function):
    alarm = stack.properties(f"{function}LatencyAlarm")
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Lambda", "Duration")
    assert alarm["Dimensions"] == [
        {"Name": "FunctionName", "Value": function_in_use(function)},
        {"Name": "Resource", "Value": function_in_use(function, f":{LIVE_ALIAS}")},
    ]
    assert alarm["ExtendedStatistic"] == "p95"
    assert alarm["Threshold"] == 1000
