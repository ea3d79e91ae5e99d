"""What the contract suite runs against: the ASGI app, the Lambda functions behind an
emulated API Gateway, or a live deployment at CONTRACT_URL (`python -m contract URL`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

from api.app import create_app, dynamo_asset_service
from api.assets_handler import handle_s3_event
from api.lambda_entry import LambdaHandler, lambda_handler
from api.settings import Settings
from api.spec import SPEC_PATH
from dev.emulator import create_resources
from tests.contract.gateway import BASE_URL, gateway_session

ROOT = Path(__file__).resolve().parents[2]
LIVE_URL = os.environ.get("CONTRACT_URL", "").rstrip("/") or None
MAX_EXAMPLES = os.environ.get("CONTRACT_MAX_EXAMPLES")
LOCAL_TARGETS = ("asgi", "lambda")


def load_schema() -> OpenApiSchema:
    """openapi.yaml with the repository's schemathesis.toml (and so its hooks)."""
    config = schemathesis.Config.from_path(ROOT / "schemathesis.toml")
    schema = schemathesis.openapi.from_path(SPEC_PATH, config=config)
    if MAX_EXAMPLES:
        schema.config.generation.update(max_examples=int(MAX_EXAMPLES))
    return schema


def target_names() -> tuple[str, ...]:
    return ("live",) if LIVE_URL else LOCAL_TARGETS


def lambda_functions(settings: Settings) -> dict[str, LambdaHandler]:
    """The two functions of template.yaml, by logical id, as their handlers build them."""
    assets = dynamo_asset_service(settings)
    return {
        "UsersFunction": lambda_handler(lambda: create_app(settings)),
        "AssetsFunction": lambda_handler(
            lambda: create_app(settings, assets=assets),
            s3_events=lambda event: handle_s3_event(assets, event),
        ),
    }


def recreate_resources(settings: Settings) -> None:
    """Drop the tables and the bucket that `settings` names, and create them empty."""
    dynamodb = boto3.client(
        "dynamodb", region_name=settings.region, endpoint_url=settings.aws_endpoint_url
    )
    for table in (settings.users_table, settings.assets_table, settings.idempotency_table):
        dynamodb.delete_table(TableName=table)
    s3 = boto3.resource("s3", region_name=settings.region, endpoint_url=settings.aws_endpoint_url)
    bucket = s3.Bucket(settings.assets_bucket)
    bucket.objects.all().delete()
    bucket.delete()
    create_resources(settings)


@dataclass
class Target:
    """Where requests go, as keyword arguments of Schemathesis' `case.call`, and the local
    emulator's settings when the target is local (None for a live URL)."""

    name: str
    call_kwargs: dict[str, Any] = field(default_factory=dict)
    settings: Settings | None = None

    @classmethod
    def build(cls, name: str, settings: Settings | None) -> Target:
        if name == "live":
            return cls(name, {"base_url": LIVE_URL})
        assert settings is not None
        if name == "asgi":
            return cls(name, {"app": create_app(settings)}, settings)
        session = gateway_session(lambda_functions(settings))
        return cls(name, {"session": session, "base_url": BASE_URL}, settings)

    def empty(self) -> None:
        """Remove every user and asset, where the target is local."""
        if self.settings is not None:
            recreate_resources(self.settings)
