"""The two Lambda functions: runtime, handlers, settings, logs, events and warm-up."""

from __future__ import annotations

import importlib
import re

import pytest

from api.lambda_entry import is_warmup
from tests.deploy.stack import ROOT, names_referenced

FUNCTIONS = ("UsersFunction", "AssetsFunction")


def test_both_functions_run_python_3_11_on_x86_64_with_512_mb_for_30_seconds(stack):
    for name in FUNCTIONS:
        properties = stack.properties(name)
        assert properties["Runtime"] == "python3.11", name
        assert properties["Architectures"] == ["x86_64"], name
        assert properties["MemorySize"] == 512, name
        assert properties["Timeout"] == 30, name


@pytest.mark.parametrize(
    ("function", "handler"),
    [
        ("UsersFunction", "api.users_handler.handler"),
        ("AssetsFunction", "api.assets_handler.handler"),
    ],
)
def test_each_function_runs_a_handler_the_package_has(stack, function, handler):
    assert stack.properties(function)["Handler"] == handler
    module, attribute = handler.rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module), attribute))


def test_both_functions_are_built_from_the_repository_root_by_the_makefile(sam_template):
    assert sam_template["Globals"]["Function"]["CodeUri"] == "."
    for name in FUNCTIONS:
        assert sam_template["Resources"][name]["Metadata"] == {"BuildMethod": "makefile"}


def test_function_environments_carry_only_names_and_settings(stack):
    common = {"LOG_LEVEL": {"Ref": "LogLevel"}, "ALLOWED_ORIGINS": ""}
    users = stack.properties("UsersFunction")["Environment"]["Variables"]
    assets = stack.properties("AssetsFunction")["Environment"]["Variables"]

    common["IDEMPOTENCY_TABLE"] = {"Ref": "IdempotencyTable"}
    assert users == {**common, "USERS_TABLE": {"Ref": "UsersTable"}}
    assert assets == {
        **common,
        "ASSETS_TABLE": {"Ref": "AssetsTable"},
        "ASSETS_BUCKET": {"Fn::Sub": "${AWS::StackName}-assets"},
        "UPLOAD_URL_EXPIRES_SECONDS": {"Ref": "UploadUrlExpiresSeconds"},
    }


def test_every_environment_variable_the_template_sets_is_read_by_api_settings(stack):
    source = (ROOT / "api" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r"[\"']([A-Z][A-Z0-9_]+)[\"']", source))
    for name in FUNCTIONS:
        variables = set(stack.properties(name)["Environment"]["Variables"])
        assert variables <= read, f"{name} sets {variables - read}, which nothing reads"
        assert "AWS_REGION" not in variables  # Lambda sets it


def test_setting_parameters_keep_to_the_limits_the_application_accepts(sam_template):
    parameters = sam_template["Parameters"]
    assert parameters["UploadUrlExpiresSeconds"]["Default"] == 900
    assert parameters["UploadUrlExpiresSeconds"]["MinValue"] >= 1
    assert parameters["UploadUrlExpiresSeconds"]["MaxValue"] <= 3600


def test_each_function_logs_to_a_log_group_of_its_own_with_a_retention(stack):
    groups = set()
    for name in FUNCTIONS:
        (group,) = names_referenced(stack.properties(name)["LoggingConfig"]["LogGroup"])
        assert stack.resources[group]["Type"] == "AWS::Logs::LogGroup"
        assert stack.properties(group)["RetentionInDays"] == {"Ref": "LogRetentionInDays"}
        groups.add(group)
    assert len(groups) == len(FUNCTIONS)


def test_the_assets_function_receives_the_buckets_object_created_events_under_assets(stack):
    notifications = stack.properties("AssetsBucket")["NotificationConfiguration"]

    assert set(notifications) == {"LambdaConfigurations"}
    assert notifications["LambdaConfigurations"] == [
        {
            "Event": "s3:ObjectCreated:*",
            "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "assets/"}]}},
            "Function": {"Fn::GetAtt": ["AssetsFunction", "Arn"]},
        }
    ]
    s3_permissions = [
        p["Properties"]
        for p in stack.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "s3.amazonaws.com"
    ]
    assert [names_referenced(p["FunctionName"]) for p in s3_permissions] == [{"AssetsFunction"}]


def test_one_schedule_warms_both_functions_with_the_event_the_handlers_answer_at_once(stack):
    ((name, rule),) = stack.of_type("AWS::Events::Rule").items()
    properties = rule["Properties"]

    assert re.fullmatch(r"rate\(\d+ minutes?\)", properties["ScheduleExpression"])
    assert properties["State"] == "ENABLED"
    targets = properties["Targets"]
    assert {next(iter(names_referenced(t["Arn"]))) for t in targets} == set(FUNCTIONS)
    # No Input: the target receives EventBridge's own scheduled event, which is_warmup knows.
    assert not any({"Input", "InputPath", "InputTransformer"} & set(t) for t in targets)
    assert is_warmup({"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}})
    invokers = {
        next(iter(names_referenced(p["Properties"]["FunctionName"])))
        for p in stack.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "events.amazonaws.com"
        and names_referenced(p["Properties"]["SourceArn"]) == {name}
    }
    assert invokers == set(FUNCTIONS)
