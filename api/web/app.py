"""The web application: Connexion routing and validating from the spec, the problem renderers,
the limits, CORS and the request log, around the operations it is given."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib.util import find_spec
from typing import Any

from connexion import AsyncApp
from connexion.middleware import ConnexionMiddleware, MiddlewarePosition
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.types import ASGIApp

from api.paths import SPEC_PATH
from api.rules.rate_limits import RateLimit
from api.settings import Settings
from api.spec import Spec, cors_rules, operation_paths
from api.web.conditional import ConditionalGetMiddleware
from api.web.cors import ProblemCORSMiddleware
from api.web.docs import AuthoredSpecMiddleware
from api.web.identity import Authenticator, security_map
from api.web.limits import RequestLimitsMiddleware
from api.web.observability import RequestContextMiddleware, configure_logging
from api.web.preflight import PreflightMiddleware
from api.web.problems import error_handlers
from api.web.rate_limits import RateLimitMiddleware
from api.web.responses import Operation
from api.web.routes import ExactPathsMiddleware, method_finder
from api.web.seams import (
    decorate_operations_once,
    path_parameters_in_operations,
    skip_spec_validation,
)
from api.web.validation import VALIDATORS


def inline(operation: Operation) -> Operation:
    """The operation as a coroutine that runs it on the event loop's own thread. Connexion
    runs a plain function in a worker thread; under Mangum that is a new thread for every
    invocation (about 230 us), and a Lambda environment serves one request at a time."""

    @functools.wraps(operation)
    async def run_inline(*args: Any, **kwargs: Any) -> Any:
        return operation(*args, **kwargs)

    return run_inline


# Lambda has neither Swagger UI (AuthoredSpecMiddleware serves the spec and /docs there) nor
# a lifespan: those two layers would only cost time on every request.
LAMBDA_MIDDLEWARES = [
    m
    for m in ConnexionMiddleware.default_middlewares
    if m not in (SwaggerUIMiddleware, LifespanMiddleware)
]


def create_app(
    settings: Settings,
    spec: Spec,
    operations: Mapping[str, Operation],
    *,
    authenticate: Authenticator,
    rate_limit: RateLimit | None = None,
    lambda_runtime: bool = False,
) -> ASGIApp:
    """The ASGI application serving `spec` with `operations` (by operationId), wrapped so
    every response carries X-Request-Id and every request is logged once. The callers of
    secured operations are named by `authenticate` and, with `rate_limit`, held to their
    quota. In the Lambda runtime (one request at a time), operations run inline, Swagger UI
    is not served and CORS preflights are left to API Gateway."""
    configure_logging(settings.log_level)
    decorate_operations_once()
    if lambda_runtime:
        operations = {name: inline(operation) for name, operation in operations.items()}
    app = AsyncApp(
        __name__,
        specification_dir=SPEC_PATH.parent,
        # A copy: Connexion inserts each added middleware into the list it is given.
        middlewares=list(LAMBDA_MIDDLEWARES) if lambda_runtime else None,
    )
    with skip_spec_validation():
        app.add_api(
            path_parameters_in_operations(spec),
            resolver=Resolver(function_resolver=operations.__getitem__),
            pythonic_params=True,
            strict_validation=True,
            validator_map=VALIDATORS,
            security_map=security_map(
                authenticate, admin_claim=settings.admin_claim, admin_group=settings.admin_group
            ),
            # The docs need swagger-ui-bundle, a development dependency the Lambda bundle
            # lacks.
            swagger_ui_options=SwaggerUIOptions(
                swagger_ui=find_spec("swagger_ui_bundle") is not None,
                swagger_ui_path="/ui",
                # The token pasted into Authorize survives a reload of the page.
                swagger_ui_config={"persistAuthorization": True},
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
    app.add_middleware(ExactPathsMiddleware, position=MiddlewarePosition.BEFORE_ROUTING)
    if rate_limit is not None:
        app.add_middleware(
            RateLimitMiddleware, position=MiddlewarePosition.BEFORE_VALIDATION, limit=rate_limit
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
            ProblemCORSMiddleware,
            position=MiddlewarePosition.BEFORE_EXCEPTION,
            allow_origins=list(settings.allowed_origins),
            allow_methods=methods,
            allow_headers=request_headers,
            expose_headers=response_headers,
        )
    return RequestContextMiddleware(
        AuthoredSpecMiddleware(ConditionalGetMiddleware(app)),
        routes=operation_paths(spec),
        metrics_namespace=settings.metrics_namespace,
    )
