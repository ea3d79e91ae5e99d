"""The tables and the bucket, as DESIGN.md describes them."""

from __future__ import annotations

import pytest

from api.assets.service import KEY_PREFIX, UPLOAD_PREFIX
from tests.deploy.stack import names_referenced

USERS_TABLE = {
    "key": {"userId": ("S", "HASH")},
    "indexes": {
        "email-index": {"key": {"email": ("S", "HASH")}, "projection": "ALL"},
        "listShard-index": {
            "key": {"listShard": ("S", "HASH"), "createdAt": ("N", "RANGE")},
            "projection": "ALL",
        },
        "department-index": {
            "key": {"department": ("S", "HASH"), "createdAt": ("N", "RANGE")},
            "projection": "ALL",
        },
    },
}
ASSETS_TABLE = {
    "key": {"assetId": ("S", "HASH")},
    "indexes": {
        "ownerId-index": {
            "key": {"ownerId": ("S", "HASH"), "createdAt": ("N", "RANGE")},
            "projection": "ALL",
        },
    },
}
RATE_LIMITS_TABLE = {"key": {"window": ("S", "HASH")}, "indexes": {}}


def table_keys(properties):
    """The table's key and GSIs, each key attribute with its type and key type."""
    types = {a["AttributeName"]: a["AttributeType"] for a in properties["AttributeDefinitions"]}

    def key(schema):
        return {k["AttributeName"]: (types[k["AttributeName"]], k["KeyType"]) for k in schema}

    return {
        "key": key(properties["KeySchema"]),
        "indexes": {
            index["IndexName"]: {
                "key": key(index["KeySchema"]),
                "projection": index["Projection"]["ProjectionType"],
            }
            for index in properties.get("GlobalSecondaryIndexes", [])
        },
    }


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("UsersTable", USERS_TABLE),
        ("AssetsTable", ASSETS_TABLE),
        ("RateLimitsTable", RATE_LIMITS_TABLE),
    ],
)
def test_each_table_has_the_key_and_the_indexes_the_code_queries(stack, table, expected):
    properties = stack.properties(table)
    assert table_keys(properties) == expected
    # Every defined attribute is a key attribute (DynamoDB rejects any other).
    used = {name for k in [expected, *expected["indexes"].values()] for name in k["key"]}
    assert {a["AttributeName"] for a in properties["AttributeDefinitions"]} == used


@pytest.mark.parametrize(
    ("table", "ttl"),
    [("UsersTable", "ttl"), ("AssetsTable", "ttl"), ("IdempotencyTable", "expiration")],
)
def test_each_table_is_on_demand_with_ttl_point_in_time_recovery_and_encryption(stack, table, ttl):
    properties = stack.properties(table)
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["TimeToLiveSpecification"] == {"AttributeName": ttl, "Enabled": True}
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert "TableName" not in properties  # CloudFormation names it; the functions get the name


def test_the_rate_limits_table_is_on_demand_encrypted_swept_by_ttl_and_goes_with_the_stack(stack):
    # Counters of the current minute: nothing to recover, nothing to keep.
    properties = stack.properties("RateLimitsTable")
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert "PointInTimeRecoverySpecification" not in properties
    assert "TableName" not in properties
    assert stack.resources["RateLimitsTable"]["DeletionPolicy"] == "Delete"


@pytest.mark.parametrize("resource", ["UsersTable", "AssetsTable", "AssetsBucket", "UserPool"])
def test_data_outlives_the_stack(stack, resource):
    assert stack.resources[resource]["DeletionPolicy"] == "Retain"
    assert stack.resources[resource]["UpdateReplacePolicy"] == "Retain"


def test_the_bucket_is_named_after_the_stack_and_the_function_is_told_that_name(stack):
    name = stack.properties("AssetsBucket")["BucketName"]
    assert name == {"Fn::Sub": "${AWS::StackName}-assets"}
    variables = stack.properties("AssetsFunction")["Environment"]["Variables"]
    assert variables["ASSETS_BUCKET"] == name


def test_the_bucket_blocks_public_access_and_enforces_bucket_ownership(stack):
    properties = stack.properties("AssetsBucket")
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]
    }


def test_the_bucket_encrypts_objects(stack):
    (rule,) = stack.properties("AssetsBucket")["BucketEncryption"][
        "ServerSideEncryptionConfiguration"
    ]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}


def test_the_bucket_expires_assets_after_30_days_uploads_after_a_day_and_aborts_incomplete_ones(
    stack, sam_template
):
    rules = stack.properties("AssetsBucket")["LifecycleConfiguration"]["Rules"]
    assert all(rule["Status"] == "Enabled" for rule in rules)
    expiring = [rule for rule in rules if "ExpirationInDays" in rule]
    assert [(r.get("Prefix"), r["ExpirationInDays"]) for r in expiring] == [
        (KEY_PREFIX, 30),
        (UPLOAD_PREFIX, 1),
    ]
    # An upload outlives every presigned POST that can make one.
    assert sam_template["Parameters"]["UploadUrlExpiresSeconds"]["MaxValue"] < 24 * 3600
    aborting = [rule for rule in rules if "AbortIncompleteMultipartUpload" in rule]
    assert len(aborting) == 1
    assert "Prefix" not in aborting[0]
    assert aborting[0]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] >= 1


def test_the_bucket_policy_denies_every_request_without_tls(stack):
    (policy,) = stack.of_type("AWS::S3::BucketPolicy").values()
    properties = policy["Properties"]
    assert properties["Bucket"] == {"Ref": "AssetsBucket"}
    (statement,) = properties["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Principal"] == "*"
    assert statement["Action"] == "s3:*"
    assert statement["Resource"] == [
        {"Fn::GetAtt": ["AssetsBucket", "Arn"]},
        {"Fn::Sub": "${AssetsBucket.Arn}/*"},
    ]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_browsers_on_the_allowed_origins_may_post_uploads_to_the_bucket(stack):
    (rule,) = stack.properties("AssetsBucket")["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedOrigins"] == {"Ref": "AllowedOrigins"}
    assert "POST" in rule["AllowedMethods"]
    assert set(rule["AllowedMethods"]) <= {"GET", "HEAD", "POST"}


def test_the_api_and_the_bucket_share_one_origins_parameter(stack):
    (api,) = stack.of_type("AWS::ApiGatewayV2::Api").values()
    api_origins = api["Properties"]["Body"]["x-amazon-apigateway-cors"]["allowOrigins"]
    (rule,) = stack.properties("AssetsBucket")["CorsConfiguration"]["CorsRules"]
    assert names_referenced(api_origins) == names_referenced(rule["AllowedOrigins"])
