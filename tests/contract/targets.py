"""The in-process targets of the contract suite: the ASGI app `make run` serves, the Lambda
functions as their builders make them, and the TypeScript functions in Node processes (as
`make run RUNTIME=node` serves them), both behind the emulated API Gateway."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import requests
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
from tests.typescript import typescript_functions

LOCAL_TARGETS = ("asgi", "lambda", "node")


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


@contextmanager
def local_target(name: str, settings: Settings) -> Iterator[Target]:
    """The target `name` of LOCAL_TARGETS on the emulator's tables that `settings` names,
    while the block runs."""

    def empty() -> None:
        recreate_resources(settings)

    def target(session: requests.Session) -> Target:
        return Target(name, {"session": session, "base_url": BASE_URL}, empty, token())

    if name == "asgi":
        yield target(asgi_session(local_app(settings, authenticate=verify)))
    elif name == "lambda":
        yield target(gateway_session(lambda_functions(settings)))
    else:
        with typescript_functions(settings) as functions:
            yield target(gateway_session(functions))
