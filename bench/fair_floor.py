"""The fair floor: the floor's operations (bench/floor_handler.py) on botocore, as the
application's are, doing the work every request of the application does besides its
framework: the request id, validation of the body and the query against the spec's schemas
(compiled once, from the JSON spec the bundle carries), RFC 9457 problems for what is
refused, X-Request-Id on the answer and one JSON log line with the EMF metrics.

What is left between it and the application is what the framework (Connexion, Starlette,
Mangum, structlog) costs, with nothing of the application's own work in it.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import uuid
from functools import cache
from typing import Any

import botocore.session
from botocore.config import Config
from jsonschema import Draft4Validator, FormatChecker

from api.functions.lambda_spec import lambda_spec
from bench.floor_handler import FloorHandler, Response, rate_limits_table

# (method, path pattern) -> the operation's body schema name, as the floor routes them.
_ROUTES = (
    ("POST", re.compile(r"^/users$"), "UserCreate"),
    ("PATCH", re.compile(r"^/users/[^/]+$"), "UserPatch"),
    ("POST", re.compile(r"^/assets$"), "AssetCreate"),
)
_LIMIT = re.compile(r"^[0-9]+$")
_FORMATS = FormatChecker()


def _validators() -> dict[str, Draft4Validator]:
    spec = lambda_spec()
    schemas = spec["components"]["schemas"]
    return {
        name: Draft4Validator(
            {**schemas[name], "components": spec["components"]}, format_checker=_FORMATS
        )
        for _, _, name in _ROUTES
    }


def problem(status: int, title: str, detail: str, request_id: str) -> Response:
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "requestId": request_id,
    }
    return {
        "statusCode": status,
        "headers": {"content-type": "application/problem+json"},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


class FairFloor:
    """The floor's operations with the application's own work around them."""

    def __init__(self, floor: FloorHandler, namespace: str = "UsersAssetsApi") -> None:
        self._floor = floor
        self._validators = _validators()
        self._namespace = namespace

    def __call__(self, event: dict[str, Any], context: Any) -> Response:
        started = time.perf_counter()
        request_id = (
            (event.get("requestContext") or {}).get("requestId")
            or getattr(context, "aws_request_id", None)
            or str(uuid.uuid4())
        )
        method = event["requestContext"]["http"]["method"]
        path = event["rawPath"]
        response = self._refusal(event, method, path, request_id) or self._floor(event, context)
        if response["statusCode"] >= 400 and "title" not in (response.get("body") or ""):
            detail = json.loads(response["body"]).get("detail", "")
            response = problem(response["statusCode"], "Refused", detail, request_id)
        response["headers"] = {
            **response["headers"],
            "x-request-id": request_id,
            "x-content-type-options": "nosniff",
            "cache-control": "no-store",
        }
        self._log(request_id, method, path, response["statusCode"], started)
        return response

    def _refusal(
        self, event: dict[str, Any], method: str, path: str, request_id: str
    ) -> Response | None:
        query = event.get("rawQueryString") or ""
        if query.startswith("limit=") and not _LIMIT.match(query[6:]):
            return problem(400, "Bad Request", "limit must be an integer", request_id)
        for route_method, pattern, schema in _ROUTES:
            if method == route_method and pattern.match(path):
                try:
                    body = json.loads(FloorHandler.raw_body(event) or "null")
                except ValueError:
                    return problem(400, "Bad Request", "The body is not valid JSON.", request_id)
                error = next(iter(self._validators[schema].iter_errors(body)), None)
                if error is not None:
                    return problem(400, "Bad Request", error.message, request_id)
        return None

    def _log(self, request_id: str, method: str, path: str, status: int, started: float) -> None:
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        line = {
            "method": method,
            "route": path,
            "status": status,
            "duration_ms": duration_ms,
            "_aws": {
                "Timestamp": int(time.time() * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": self._namespace,
                        "Dimensions": [["operation", "service"]],
                        "Metrics": [
                            {"Name": "Requests", "Unit": "Count"},
                            {"Name": "Latency", "Unit": "Milliseconds"},
                        ],
                    }
                ],
            },
            "operation": f"{method} {path}",
            "service": "users-assets-api",
            "Requests": [1.0],
            "Latency": [duration_ms],
            "event": "request",
            "request_id": request_id,
            "level": "info",
        }
        sys.stdout.write(json.dumps(line) + "\n")


@cache
def _session() -> Any:
    return botocore.session.get_session()


def _client(service: str) -> Any:
    config = Config(signature_version="s3v4", retries={"max_attempts": 3, "mode": "standard"})
    return _session().create_client(
        service,
        region_name=os.environ.get("AWS_REGION"),
        endpoint_url=os.environ.get("AWS_ENDPOINT_URL"),
        config=config,
    )


def built_during_init(*services: str) -> FairFloor:
    """The fair floor with botocore clients once per process, those of `services` built now:
    the entry modules call it during init, as the functions build their clients
    (api/functions/clients.py)."""
    clients = {name: cache(lambda name=name: _client(name)) for name in ("dynamodb", "s3")}
    for name in services:
        clients[name]()
    return FairFloor(
        FloorHandler(
            clients["dynamodb"],
            clients["s3"],
            users_table=os.environ.get("USERS_TABLE", "Users"),
            assets_table=os.environ.get("ASSETS_TABLE", "Assets"),
            bucket=os.environ.get("ASSETS_BUCKET", "assets"),
            rate_limits_table=rate_limits_table(),
        )
    )
