"""Factories of real-shaped Lambda events (API Gateway HTTP API v2 and REST v1, EventBridge),
and a Lambda module imported as a new execution environment imports it."""

from __future__ import annotations

import base64
import importlib
import json
import sys
from types import ModuleType
from typing import Any

from tests.claims import ADMIN, authorizer_claims

# A token's place taken, for the events of code that cannot sign one.
UNSIGNED_BEARER = "Bearer unsigned.token-of-the-benchmark.verified-by-no-one"


def make_http_event(
    *,
    method: str = "GET",
    path: str = "/users",
    query: str = "",
    headers: dict[str, str] | None = None,
    body: Any = None,
    request_id: str = "apigw-request-1",
    caller: str | None = ADMIN,
    signed: bool = True,
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload format 2.0) event, as API Gateway sends it: with
    `caller`'s token and the claims its JWT authorizer verified, or anonymous if None.
    Not `signed`: the claims with a token that is none, which a function never verifies
    (for the benchmark's bundle, which has no JWT library to sign one with)."""
    raw = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    all_headers = {"host": "api.example.com", "user-agent": "pytest"}
    if caller is not None:
        authorization = _bearer(caller) if signed else {"Authorization": UNSIGNED_BEARER}
        all_headers |= {k.lower(): v for k, v in authorization.items()}
    if raw is not None:
        all_headers |= {"content-type": "application/json", "content-length": str(len(raw))}
    all_headers |= {k.lower(): v for k, v in (headers or {}).items()}
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": all_headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api-id",
            "domainName": "api.example.com",
            "domainPrefix": "api",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
                "userAgent": "pytest",
            },
            "requestId": request_id,
            **(
                {}
                if caller is None
                else {"authorizer": {"jwt": {"claims": authorizer_claims(caller), "scopes": None}}}
            ),
            "routeKey": "$default",
            "stage": "$default",
            "time": "26/Nov/2026:09:30:00 +0000",
            "timeEpoch": 1795685400000,
        },
        "body": None if raw is None else base64.b64encode(raw).decode(),
        "isBase64Encoded": raw is not None,
    }


def make_rest_event(
    *,
    method: str = "GET",
    path: str = "/users",
    headers: dict[str, str] | None = None,
    body: Any = None,
    request_id: str = "rest-request-1",
    caller: str | None = ADMIN,
) -> dict[str, Any]:
    """An API Gateway REST API (payload format 1.0) proxy event, with `caller`'s token and
    the claims a Cognito authorizer verified (requestContext.authorizer.claims)."""
    raw = None if body is None else json.dumps(body)
    all_headers = {"Host": "api.example.com"}
    if caller is not None:
        all_headers |= _bearer(caller)
    if raw is not None:
        all_headers |= {"Content-Type": "application/json", "Content-Length": str(len(raw))}
    all_headers |= headers or {}
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/prod{path}",
            "stage": "prod",
            "requestId": request_id,
            "identity": {"sourceIp": "192.0.2.1"},
            **({} if caller is None else {"authorizer": {"claims": authorizer_claims(caller)}}),
        },
        "body": raw,
        "isBase64Encoded": False,
    }


def _bearer(caller: str) -> dict[str, str]:
    from tests.identity import bearer  # signs with PyJWT: only when a token is asked for

    return bearer(caller)


def make_warmup_event() -> dict[str, Any]:
    """The scheduled EventBridge event of the warm-up rule."""
    return {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-11-26T09:30:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/warm-up"],
        "detail": {},
    }


class FakeLambdaContext:
    aws_request_id = "lambda-invocation-1"
    function_name = "UsersFunction"
    memory_limit_in_mb = 512

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def fresh_import(module: str) -> ModuleType:
    """The Lambda module `module` imported anew, as a new execution environment does."""
    sys.modules.pop(module, None)
    return importlib.import_module(module)
