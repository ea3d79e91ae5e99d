"""The two Lambda functions: runtime, handlers, settings, logs, events and warm-up."""

from __future__ import annotations

import re

import pytest

from api.functions.builders import FUNCTION_BUILDERS
from api.functions.runtime import is_warmup
from api.paths import ROOT
from api.resources import BUCKETS, SECRETS, TABLES, Bucket, Secret, Table
from api.resources import FUNCTIONS as REGISTERED
from tests.deploy.stack import as_list, names_referenced, resources_referenced, table_in_use
from tests.events import fresh_import

FUNCTIONS = tuple(function.logical_id for function in REGISTERED.values())
NODE_FUNCTIONS = tuple(function.node_logical_id for function in REGISTERED.values())


def test_both_functions_run_python_3_11_on_x86_64_with_512_mb_for_30_seconds(stack):
    assert stack.template["Parameters"]["PythonVersion"]["Default"] == "3.11"
    for name in FUNCTIONS:
        properties = stack.properties(name)
        assert properties["Runtime"] == {"Fn::Sub": "python${PythonVersion}"}, name
        assert properties["Architectures"] == ["x86_64"], name
        assert properties["MemorySize"] == 512, name
        assert properties["Timeout"] == 30, name


def test_the_template_has_exactly_the_registered_functions(sam_template):
    functions = {
        name
        for name, resource in sam_template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    assert functions == set(FUNCTIONS) | set(NODE_FUNCTIONS)
    assert set(FUNCTION_BUILDERS) == set(REGISTERED)


@pytest.mark.parametrize("function", REGISTERED.values(), ids=lambda f: f.logical_id)
def test_each_function_runs_the_registered_handler_of_the_package(stack, function, monkeypatch):
    assert stack.properties(function.logical_id)["Handler"] == function.handler
    for resource in function.resources:
        value = "x" * 32 if isinstance(resource, Secret) else resource.local_name
        monkeypatch.setenv(resource.env, value)
    module, attribute = function.handler.rsplit(".", 1)
    assert callable(getattr(fresh_import(module), attribute))


def test_both_functions_are_built_from_the_repository_root_by_the_makefile(sam_template):
    assert sam_template["Globals"]["Function"]["CodeUri"] == "."
    for name in FUNCTIONS:
        assert sam_template["Resources"][name]["Metadata"] == {"BuildMethod": "makefile"}


def the_name_of(resource):
    """How the template names a registered table or bucket in an environment, or passes a
    registered secret's value."""
    if isinstance(resource, Bucket):
        return stack_bucket_name(resource)
    if isinstance(resource, Secret):
        return resolved_secret(resource)
    return table_in_use(resource.logical_id)


def resolved_secret(secret, *, version=""):
    """The dynamic reference that CloudFormation resolves to the secret's value at deploy."""
    suffix = f"::{version}" if version else ""
    return {
        "Fn::Sub": f"{{{{resolve:secretsmanager:${{{secret.logical_id}}}:SecretString{suffix}}}}}"
    }


def stack_bucket_name(bucket):
    return {"Fn::Sub": f"${{AWS::StackName}}-{bucket.local_name}"}


def test_each_function_is_told_the_names_of_its_registered_resources_and_no_others(stack):
    registered: list[Table | Bucket | Secret] = [
        *TABLES.values(),
        *BUCKETS.values(),
        *SECRETS.values(),
    ]
    every_name = {r.env for r in registered}
    for function in REGISTERED.values():
        variables = stack.properties(function.logical_id)["Environment"]["Variables"]
        names = {r.env: the_name_of(r) for r in function.resources}
        assert {k: v for k, v in variables.items() if k in every_name} == names


def test_function_environments_carry_only_names_settings_and_the_cursor_key(stack):
    cursor_key = SECRETS["cursor"]
    common = {
        "LOG_LEVEL": {"Ref": "LogLevel"},
        "ALLOWED_ORIGINS": "",
        cursor_key.env: resolved_secret(cursor_key),
        cursor_key.previous_env: {
            "Fn::If": [
                "HasPreviousCursorKey",
                resolved_secret(cursor_key, version="${PreviousCursorKeyVersionId}"),
                {"Ref": "AWS::NoValue"},
            ]
        },
        "ADMIN_CLAIM": {"Ref": "AdminClaim"},
        "ADMIN_GROUP": {"Ref": "AdminGroup"},
        "RATE_LIMIT_PER_MINUTE": {"Ref": "RateLimitPerMinute"},
    }
    users = stack.properties("UsersFunction")["Environment"]["Variables"]
    assets = stack.properties("AssetsFunction")["Environment"]["Variables"]

    common["IDEMPOTENCY_TABLE"] = table_in_use("IdempotencyTable")
    common["RATE_LIMITS_TABLE"] = {"Ref": "RateLimitsTable"}
    assert users == {**common, "USERS_TABLE": table_in_use("UsersTable")}
    assert assets == {
        **common,
        "ASSETS_TABLE": table_in_use("AssetsTable"),
        "ASSETS_BUCKET": {"Fn::Sub": "${AWS::StackName}-assets"},
        "UPLOAD_URL_EXPIRES_SECONDS": {"Ref": "UploadUrlExpiresSeconds"},
    }


def test_every_environment_variable_the_template_sets_is_read_by_api_settings(stack):
    source = "".join(
        (ROOT / "api" / name).read_text(encoding="utf-8")
        for name in ("settings.py", "resources.py")
    )
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


def test_the_assets_function_receives_the_buckets_object_created_events_under_uploads(deployed):
    from api.assets.service import UPLOAD_PREFIX

    stack, assets = deployed.stack, deployed.function_id("AssetsFunction")
    notifications = stack.properties("AssetsBucket")["NotificationConfiguration"]

    assert set(notifications) == {"LambdaConfigurations"}
    # Only the uploads: the served files are written by the confirmation's own copy.
    assert notifications["LambdaConfigurations"] == [
        {
            "Event": "s3:ObjectCreated:*",
            "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": UPLOAD_PREFIX}]}},
            "Function": {"Ref": stack.alias_of(assets)},
        }
    ]
    s3_permissions = [
        p["Properties"]
        for p in stack.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "s3.amazonaws.com"
    ]
    assert [stack.invoked(p["FunctionName"]) for p in s3_permissions] == [assets]
    # S3 checks its permission when the notification is set: the bucket waits for it.
    (waits_for,) = as_list(stack.resources["AssetsBucket"]["DependsOn"])
    assert resources_referenced(stack.resources[waits_for]["Metadata"]) == {
        name
        for name, p in stack.of_type("AWS::Lambda::Permission").items()
        if p["Properties"]["Principal"] == "s3.amazonaws.com"
    }


def test_one_schedule_warms_both_functions_with_the_event_the_handlers_answer_at_once(deployed):
    stack, functions = deployed.stack, {deployed.function_id(name) for name in FUNCTIONS}
    ((name, rule),) = stack.of_type("AWS::Events::Rule").items()
    properties = rule["Properties"]

    assert re.fullmatch(r"rate\(\d+ minutes?\)", properties["ScheduleExpression"])
    assert properties["State"] == "ENABLED"
    targets = properties["Targets"]
    assert {stack.invoked(t["Arn"]) for t in targets} == functions
    # No Input: the target receives EventBridge's own scheduled event, which is_warmup knows.
    assert not any({"Input", "InputPath", "InputTransformer"} & set(t) for t in targets)
    assert is_warmup({"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}})
    invokers = {
        stack.invoked(p["Properties"]["FunctionName"])
        for p in stack.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "events.amazonaws.com"
        and names_referenced(p["Properties"]["SourceArn"]) == {name}
    }
    assert invokers == functions


def test_from_python_3_12_on_both_functions_start_from_snapstart_snapshots(stack):
    assert stack.template["Conditions"]["UsesSnapStart"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "PythonVersion"}, "3.11"]}]
    }
    for name in FUNCTIONS:
        assert stack.properties(name)["SnapStart"] == {
            "Fn::If": ["UsesSnapStart", {"ApplyOn": "PublishedVersions"}, {"Ref": "AWS::NoValue"}]
        }
