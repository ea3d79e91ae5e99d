"""Alarms and outputs."""

from __future__ import annotations

import pytest

from tests.deploy.stack import function_in_use, names_referenced, table_in_use


def alarms_on(stack, namespace, metric):
    return [
        alarm["Properties"]
        for alarm in stack.of_type("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Namespace") == namespace
        and alarm["Properties"].get("MetricName") == metric
    ]


def test_an_alarm_fires_when_api_latency_is_above_1000_ms(stack):
    (alarm,) = alarms_on(stack, "AWS/ApiGateway", "Latency")
    assert alarm["Dimensions"] == [{"Name": "ApiId", "Value": {"Ref": "HttpApi"}}]
    assert alarm["Threshold"] == 1000
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["Period"] == 60


@pytest.mark.parametrize("function", ["UsersFunction", "AssetsFunction"])
def test_an_alarm_fires_when_a_function_fails_more_than_10_times_a_minute(stack, function):
    (alarm,) = [
        alarm
        for alarm in alarms_on(stack, "AWS/Lambda", "Errors")
        if alarm["Dimensions"] == [{"Name": "FunctionName", "Value": function_in_use(function)}]
    ]
    assert alarm["Statistic"] == "Sum"
    assert alarm["Period"] == 60
    assert alarm["EvaluationPeriods"] == 1
    assert alarm["Threshold"] == 10
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"


def test_missing_data_never_raises_an_alarm(stack):
    for alarm in stack.of_type("AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["TreatMissingData"] == "notBreaching"


def test_outputs_name_the_urls_the_tables_the_bucket_the_cursor_key_and_the_issuer(stack):
    outputs = {name: output["Value"] for name, output in stack.template["Outputs"].items()}
    cognito = {"UserPoolId", "UserPoolClientId", "AuthUrl"}
    assert {name: value for name, value in outputs.items() if name not in cognito} == {
        "ApiUrl": {"Fn::Sub": "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"},
        "UsersTableName": table_in_use("UsersTable"),
        "AssetsTableName": table_in_use("AssetsTable"),
        "IdempotencyTableName": table_in_use("IdempotencyTable"),
        "RateLimitsTableName": {"Ref": "RateLimitsTable"},
        "AssetsBucketName": {"Ref": "AssetsBucket"},
        "CursorKeySecretArn": {"Ref": "CursorKeySecret"},
        "TokenIssuer": {
            "Fn::If": [
                "UseCognito",
                {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"},
                {"Ref": "JwtIssuer"},
            ]
        },
        "DistributionDomainName": {"Fn::GetAtt": ["Distribution", "DomainName"]},
        "DistributionUrl": {"Fn::Sub": "https://${Distribution.DomainName}/"},
    }
    assert names_referenced(outputs["ApiUrl"]) <= {"HttpApi", "AWS::Region", "AWS::URLSuffix"}


def test_outputs_name_the_user_pool_its_app_client_and_its_sign_in_domain_with_cognito(stack):
    outputs = stack.template["Outputs"]
    for name in ("UserPoolId", "UserPoolClientId", "AuthUrl"):
        assert outputs[name]["Condition"] == "UseCognito", name
    assert outputs["UserPoolId"]["Value"] == {"Ref": "UserPool"}
    assert outputs["UserPoolClientId"]["Value"] == {"Ref": "UserPoolClient"}
    assert outputs["AuthUrl"]["Value"] == {
        "Fn::Sub": "https://${UserPoolDomain}.auth.${AWS::Region}.amazoncognito.com"
    }
