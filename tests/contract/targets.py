"""The in-process targets of the contract suite: the ASGI app `make run` serves, and the Lambda
functions as their builders make them, behind an emulated API Gateway."""

from __future__ import annotations

import os

import boto3
from schemathesis.specs.openapi.schemas import OpenApiSchema

from api.functions.builders import FUNCTION_BUILDERS, local_app
from api.functions.runtime import LambdaHandler
from api.paths import SPEC_PATH
from api.resources import BUCKETS, FUNCTIONS, TABLES
from api.settings import Settings
from contract.suite import Target
from contract.suite import load_schema as load_contract_schema
from dev.emulator import create_resources
from tests.contract.gateway import BASE_URL, asgi_session, gateway_session
from tests.identity import token, verify

LOCAL_TARGETS = ("asgi", "lambda")


def load_schema() -> OpenApiSchema:
    """openapi.yaml as the contract suite reads it (CONTRACT_MAX_EXAMPLES to explore less)."""
    max_examples = os.environ.get("CONTRACT_MAX_EXAMPLES")
    return load_contract_schema(SPEC_PATH, max_examples=int(max_examples) if max_examples else None)


def lambda_functions(settings: Settings) -> dict[str, LambdaHandler]:
    """Every function of template.yaml, by logical id, as its builder makes it on Lambda."""
    return {
        function.logical_id: FUNCTION_BUILDERS[key](settings) for key, function in FUNCTIONS.items()
    }


def recreate_resources(settings: Settings) -> None:
    """Drop the tables and the buckets that `settings` names, and create them empty."""
    dynamodb = boto3.client(
        "dynamodb", region_name=settings.region, endpoint_url=settings.aws_endpoint_url
    )
    for table in TABLES:
        dynamodb.delete_table(TableName=settings.table(table))
    s3 = boto3.resource("s3", region_name=settings.region, endpoint_url=settings.aws_endpoint_url)
    for key in BUCKETS:
        bucket = s3.Bucket(settings.bucket(key))
        bucket.objects.all().delete()
        bucket.delete()
    create_resources(settings)


def local_target(name: str, settings: Settings) -> Target:
    """The target `name` of LOCAL_TARGETS on the emulator's tables that `settings` names."""

    def empty() -> None:
        recreate_resources(settings)

    if name == "asgi":
        session = asgi_session(local_app(settings, authenticate=verify))
        return Target(name, {"session": session, "base_url": BASE_URL}, empty, token())
    session = gateway_session(lambda_functions(settings))
    return Target(name, {"session": session, "base_url": BASE_URL}, empty, token())
