"""Composition root: builds the Connexion app from openapi.yaml, the settings and the services."""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib.util import find_spec
from typing import Any

from connexion import AsyncApp
from connexion.middleware import ConnexionMiddleware, MiddlewarePosition
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from connexion.spec import OpenAPISpecification
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

from api.asset_store import DynamoAssetRepository, bind_asset_table
from api.assets import AssetService
from api.assets_handler import asset_operations
from api.aws_faults import aws_client
from api.errors import error_handlers
from api.http import JSON
from api.idempotency import IdempotentRequests
from api.limits import RequestLimitsMiddleware
from api.object_storage import S3ObjectStorage
from api.observability import RequestContextMiddleware, configure_logging
from api.preflight import PreflightMiddleware
from api.settings import Settings
from api.spec import SPEC_PATH, cors_rules, load_spec, method_finder, operation_paths
from api.user_store import DynamoUserRepository, bind_user_table
from api.users import UserService
from api.users_handler import user_operations
from api.validation import VALIDATORS

Operation = Callable[..., Any]


# openapi.yaml is checked against the OpenAPI schema by the contract tests; Connexion would
# check it again at every cold start (24 ms), and again for each of its middlewares.
OpenAPISpecification._validate_spec = classmethod(lambda cls, spec: None)


def get_health() -> tuple[dict[str, str], int, dict[str, str]]:
    return {"status": "ok"}, 200, JSON


def dynamo_user_service(settings: Settings) -> UserService:
    """Users backed by the DynamoDB table named in `settings`; connects on first use."""
    return UserService(DynamoUserRepository(bind_user_table(settings)))


def dynamo_asset_service(settings: Settings) -> AssetService:
    """Assets in the DynamoDB table and S3 bucket named in `settings`; connects on first use."""
    return AssetService(
        DynamoAssetRepository(bind_asset_table(settings)),
        S3ObjectStorage(settings),
        upload_expires_seconds=settings.upload_url_expires_seconds,
    )


def dynamo_idempotency(settings: Settings) -> IdempotentRequests:
    """Idempotency keys in the DynamoDB table named in `settings`; connects on first use."""

    def persistence_for(operation: str) -> Any:
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

        client = aws_client("dynamodb", settings)
        return DynamoDBPersistenceLayer(table_name=settings.idempotency_table, boto3_client=client)

    return IdempotentRequests(persistence_for)


def inline(operation: Operation) -> Operation:
    """The operation as a coroutine that runs it on the event loop's own thread. Connexion
    runs a plain function in a worker thread; under Mangum that is a new thread for every
    invocation (about 230 us), and a Lambda environment serves one request at a time."""

    @functools.wraps(operation)
    async def run_inline(*args: Any, **kwargs: Any) -> Any:
        return operation(*args, **kwargs)

    return run_inline


# Lambda serves neither the docs nor the spec (API Gateway routes only the operations), and
# has no lifespan: those two layers would only cost time on every request.
LAMBDA_MIDDLEWARES = [
    m
    for m in ConnexionMiddleware.default_middlewares
    if m not in (SwaggerUIMiddleware, LifespanMiddleware)
]


def create_app(
    settings: Settings,
    *,
    users: UserService | None = None,
    assets: AssetService | None = None,
    idempotency: IdempotentRequests | None = None,
    lambda_runtime: bool = False,
) -> ASGIApp:
    """The ASGI application: Connexion routing and validating from the spec, wrapped so
    every response carries X-Request-Id and every request is logged once. In the Lambda
    runtime (one request at a time), operations run inline, docs are not served and CORS
    preflights are left to API Gateway."""
    configure_logging(settings.log_level)
    idempotency = idempotency or dynamo_idempotency(settings)
    operations: dict[str, Operation] = {
        "getHealth": get_health,
        **user_operations(users or dynamo_user_service(settings), idempotency),
        **asset_operations(assets or dynamo_asset_service(settings), idempotency),
    }
    if lambda_runtime:
        operations = {name: inline(operation) for name, operation in operations.items()}
    spec = load_spec()
    app = AsyncApp(
        __name__,
        specification_dir=SPEC_PATH.parent,
        middlewares=LAMBDA_MIDDLEWARES if lambda_runtime else None,
    )
    app.add_api(
        spec,
        resolver=Resolver(function_resolver=operations.__getitem__),
        pythonic_params=True,
        strict_validation=True,
        validator_map=VALIDATORS,
        # The docs need swagger-ui-bundle, a development dependency the Lambda bundle lacks.
        swagger_ui_options=SwaggerUIOptions(
            swagger_ui=find_spec("swagger_ui_bundle") is not None, swagger_ui_path="/ui"
        ),
    )
    allowed_methods = method_finder(spec)
    for error, handler in error_handlers(allowed_methods):
        app.add_error_handler(error, handler)
    app.add_middleware(
        RequestLimitsMiddleware,
        position=MiddlewarePosition.BEFORE_ROUTING,
        max_body_bytes=settings.max_body_bytes,
    )
    if lambda_runtime:
        app.add_middleware(
            PreflightMiddleware,
            position=MiddlewarePosition.BEFORE_EXCEPTION,
            allowed_methods=allowed_methods,
        )
    if settings.allowed_origins:
        methods, request_headers, response_headers = cors_rules(spec)
        app.add_middleware(
            CORSMiddleware,
            position=MiddlewarePosition.BEFORE_EXCEPTION,
            allow_origins=list(settings.allowed_origins),
            allow_methods=methods,
            allow_headers=request_headers,
            expose_headers=response_headers,
        )
    return RequestContextMiddleware(
        app, routes=operation_paths(spec), metrics_namespace=settings.metrics_namespace
    )
