"""Least privilege: each function's role allows its own table, indexes, objects and logs only."""

from __future__ import annotations

import pytest

from api.assets.service import KEY_PREFIX, UPLOAD_PREFIX
from tests.deploy.stack import as_list, names_referenced, resources_referenced, table_arn_in_use


def tables_referenced(resource):
    """The tables an ARN names, a table in use or the existing one replacing it alike."""
    return {name.removeprefix("Existing") for name in resources_referenced(resource)}


FUNCTIONS = ("UsersFunction", "AssetsFunction")
TABLE_ACTIONS = {
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
}
IDEMPOTENCY_ACTIONS = {
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
}
# The per-caller counters: one UpdateItem (ADD) per request, nothing else.
RATE_LIMIT_ACTIONS = {"dynamodb:UpdateItem"}
ASSET_OBJECTS = {"Fn::Sub": "arn:${AWS::Partition}:s3:::${AWS::StackName}-assets/assets/*"}
UPLOAD_OBJECTS = {"Fn::Sub": "arn:${AWS::Partition}:s3:::${AWS::StackName}-assets/uploads/*"}
COPIED_FROM_UPLOADS = {
    "StringLike": {
        "s3:x-amz-copy-source": [
            {"Fn::Sub": "${AWS::StackName}-assets/uploads/*"},
            {"Fn::Sub": "/${AWS::StackName}-assets/uploads/*"},
        ]
    }
}


def shared_tables(action):
    """The tables of both functions that `action` may also touch."""
    return {
        *(["IdempotencyTable"] if action in IDEMPOTENCY_ACTIONS else []),
        *(["RateLimitsTable"] if action in RATE_LIMIT_ACTIONS else []),
    }


def resources_for(stack, function, action, condition=None):
    """What `function` may do `action` on (under `condition`, if given; else without one)."""
    return [
        resource
        for statement in stack.statements(function)
        if statement["Effect"] == "Allow"
        and action in as_list(statement["Action"])
        and statement.get("Condition") == condition
        for resource in as_list(statement["Resource"])
    ]


def test_each_function_runs_with_a_role_of_its_own_that_only_lambda_assumes(stack):
    roles = {stack.role_of(name) for name in FUNCTIONS}
    assert len(roles) == len(FUNCTIONS)
    for role in roles:
        properties = stack.properties(role)
        assert properties["AssumeRolePolicyDocument"]["Statement"] == [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ]
        # Nothing granted out of sight of these tests.
        assert not {"ManagedPolicyArns", "PermissionsBoundary"} & set(properties)


def test_no_role_allows_anything_on_every_resource_or_by_wildcard_action(stack):
    for function in FUNCTIONS:
        for statement in stack.statements(function):
            assert statement["Effect"] == "Allow"
            assert "*" not in as_list(statement["Resource"]), statement
            assert not [a for a in as_list(statement["Action"]) if "*" in a], statement
            assert "NotAction" not in statement
            assert "NotResource" not in statement


def test_users_function_holds_no_s3_permission(stack):
    assert stack.actions("UsersFunction", "s3") == set()


def test_users_function_may_only_read_and_write_the_users_table_and_its_indexes(stack):
    assert stack.actions("UsersFunction", "dynamodb") == TABLE_ACTIONS
    for action in TABLE_ACTIONS:
        resources = resources_for(stack, "UsersFunction", action)
        assert table_arn_in_use("UsersTable") in resources
        tables = {"UsersTable", *shared_tables(action)}
        assert all(tables_referenced(r) <= tables for r in resources), resources
    assert resources_for(stack, "UsersFunction", "dynamodb:Query") == [
        table_arn_in_use("UsersTable"),
        table_arn_in_use("UsersTable", "/index/*"),
    ]


def test_assets_function_may_only_read_and_write_the_assets_table_and_its_indexes(stack):
    assert stack.actions("AssetsFunction", "dynamodb") == TABLE_ACTIONS
    for action in TABLE_ACTIONS:
        resources = resources_for(stack, "AssetsFunction", action)
        assert table_arn_in_use("AssetsTable") in resources
        tables = {"AssetsTable", *shared_tables(action)}
        assert all(tables_referenced(r) <= tables for r in resources), resources


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_may_keep_idempotency_records_and_nothing_more_there(stack, function):
    actions = {
        action
        for action in TABLE_ACTIONS
        if table_arn_in_use("IdempotencyTable") in resources_for(stack, function, action)
    }
    assert actions == IDEMPOTENCY_ACTIONS
    assert resources_for(stack, "AssetsFunction", "dynamodb:Query") == [
        table_arn_in_use("AssetsTable"),
        table_arn_in_use("AssetsTable", "/index/*"),
    ]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_may_only_count_requests_in_the_rate_limits_table(stack, function):
    table = {"Fn::GetAtt": ["RateLimitsTable", "Arn"]}
    actions = {
        action
        for statement in stack.statements(function)
        if table in as_list(statement["Resource"])
        for action in as_list(statement["Action"])
    }
    assert actions == RATE_LIMIT_ACTIONS
    # ...and on the table itself only: it has no index.
    assert not [
        resource
        for statement in stack.statements(function)
        for resource in as_list(statement["Resource"])
        if "RateLimitsTable" in names_referenced(resource) and resource != table
    ]


def test_assets_function_may_write_served_files_only_by_copying_uploads(stack):
    # The presigned upload and download URLs it signs act with exactly these permissions:
    # a POST can write under uploads/ only, and a served file under assets/ is written
    # only by the confirmation's CopyObject from uploads/.
    assert stack.actions("AssetsFunction", "s3") == {
        "s3:DeleteObject",
        "s3:GetObject",
        "s3:PutObject",
        "s3:ListBucket",
    }
    for action in ("s3:DeleteObject", "s3:GetObject"):
        assert resources_for(stack, "AssetsFunction", action) == [UPLOAD_OBJECTS, ASSET_OBJECTS]
    assert resources_for(stack, "AssetsFunction", "s3:PutObject") == [UPLOAD_OBJECTS]
    assert resources_for(stack, "AssetsFunction", "s3:PutObject", COPIED_FROM_UPLOADS) == [
        ASSET_OBJECTS
    ]
    conditioned = [s for s in stack.statements("AssetsFunction") if "Condition" in s]
    assert [s["Action"] for s in conditioned] == ["s3:PutObject"]
    # Listing only so that HeadObject of a missing key answers 404 rather than 403.
    assert resources_for(stack, "AssetsFunction", "s3:ListBucket") == [
        {"Fn::Sub": "arn:${AWS::Partition}:s3:::${AWS::StackName}-assets"}
    ]


def test_the_asset_objects_the_role_names_are_in_the_stacks_bucket(stack):
    bucket_name = stack.properties("AssetsBucket")["BucketName"]["Fn::Sub"]
    assert ASSET_OBJECTS["Fn::Sub"].endswith(f":s3:::{bucket_name}/{KEY_PREFIX}*")
    assert UPLOAD_OBJECTS["Fn::Sub"].endswith(f":s3:::{bucket_name}/{UPLOAD_PREFIX}*")
    sources = COPIED_FROM_UPLOADS["StringLike"]["s3:x-amz-copy-source"]
    assert [s["Fn::Sub"] for s in sources] == [
        f"{bucket_name}/{UPLOAD_PREFIX}*",
        f"/{bucket_name}/{UPLOAD_PREFIX}*",
    ]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_may_only_write_its_own_logs(stack, function):
    (group,) = names_referenced(stack.properties(function)["LoggingConfig"]["LogGroup"])
    assert stack.actions(function, "logs") == {"logs:CreateLogStream", "logs:PutLogEvents"}
    for action in stack.actions(function, "logs"):
        assert resources_for(stack, function, action) == [{"Fn::GetAtt": [group, "Arn"]}]


def test_roles_allow_nothing_but_logs_dynamodb_and_the_assets_s3_objects(stack):
    services = {
        function: {
            a.split(":")[0] for s in stack.statements(function) for a in as_list(s["Action"])
        }
        for function in FUNCTIONS
    }
    assert services == {
        "UsersFunction": {"logs", "dynamodb"},
        "AssetsFunction": {"logs", "dynamodb", "s3"},
    }
