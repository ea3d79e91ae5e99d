"""API Gateway (HTTP API) in front of the Lambda functions, in process.

A `requests` transport adapter that does what the deployed HTTP API does with a request:
picks the route from the same table `deploy.api_definition` derives from openapi.yaml for
template.yaml (one route per operation, the function chosen by the operation's tag; a method
without a route of its own takes the path's `ANY` route, if any), answers 404
`{"message":"Not Found"}` itself when no route matches; on a secured route, verifies the
bearer token as its JWT authorizer does (401 `{"message":"Unauthorized"}` when it is missing
or invalid) and passes the verified claims on; and otherwise invokes the route's function
with a payload format 2.0 event and turns the function's result into the response.
"""

from __future__ import annotations

import base64
import io
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from starlette.testclient import TestClient

from api.functions.runtime import LambdaHandler
from api.rules.errors import Unauthenticated
from api.spec import load_spec
from deploy.api_definition import Route, routes
from tests.events import FakeLambdaContext, make_http_event
from tests.identity import verify

BASE_URL = "https://api.example.com"
NOT_FOUND = (404, {"content-type": "application/json"}, b'{"message":"Not Found"}')
UNAUTHORIZED_BODY = b'{"message":"Unauthorized"}'


def authorizer_claims(
    headers: Mapping[str, str],
) -> dict[str, Any] | tuple[int, dict[str, str], bytes]:
    """The claims of the request's verified bearer token, or the authorizer's 401."""
    scheme, _, value = headers.get("authorization", "").partition(" ")
    try:
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthenticated("no bearer token")
        claims = verify(value.strip())
    except Unauthenticated as exc:
        challenge = (
            "Bearer"
            if not value
            else f'Bearer error="invalid_token" error_description="{exc.detail}"'
        )
        return (
            401,
            {"content-type": "application/json", "www-authenticate": challenge},
            UNAUTHORIZED_BODY,
        )
    # API Gateway passes every claim as a string, a list flattened to "[a b]".
    return {
        name: f"[{' '.join(map(str, claim))}]" if isinstance(claim, list) else str(claim)
        for name, claim in claims.items()
    }


@dataclass(frozen=True)
class CompiledRoute:
    route: Route
    pattern: re.Pattern[str]

    @classmethod
    def of(cls, route: Route) -> CompiledRoute:
        # A path variable matches one whole segment, as in API Gateway.
        parts = re.split(r"(\{[^}]+\})", route.path)
        regex = "".join(
            f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part)
            for part in parts
        )
        return cls(route, re.compile(f"^{regex}$"))

    @property
    def key(self) -> str:
        return f"{self.route.method} {self.route.path}"


class LambdaContext(FakeLambdaContext):
    def __init__(self, function_name: str) -> None:
        self.function_name = function_name
        self.aws_request_id = str(uuid.uuid4())


def request_body(request: requests.PreparedRequest) -> bytes | None:
    body: Any = request.body
    if body is None:
        return None
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes):
        return body
    return b"".join(chunk.encode() if isinstance(chunk, str) else chunk for chunk in body)


def http_api_event(
    request: requests.PreparedRequest,
    route: CompiledRoute,
    path_parameters: dict[str, str],
    claims: dict[str, Any] | None,
) -> dict[str, Any]:
    """The payload format 2.0 event API Gateway sends for `request` on `route`."""
    url = urlsplit(str(request.url))
    body = request_body(request)
    headers = {
        name.lower(): value if isinstance(value, str) else value.decode("latin-1")
        for name, value in request.headers.items()
    }
    event = make_http_event(
        method=str(request.method),
        path=url.path,
        query=url.query,
        headers=headers,
        body=body,
        request_id=str(uuid.uuid4()),
        caller=None,
    )
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    if "content-type" not in headers:
        # make_http_event assumes JSON; API Gateway passes only what the client sent.
        event["headers"].pop("content-type", None)
    if body == b"":
        event["body"], event["isBase64Encoded"] = None, False
    if "cookie" in event["headers"]:
        event["cookies"] = event["headers"].pop("cookie").split("; ")
    query: dict[str, str] = {}
    for name, value in parse_qsl(url.query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    event["queryStringParameters"] = query or None
    event["pathParameters"] = path_parameters or None
    event["routeKey"] = event["requestContext"]["routeKey"] = route.key
    return event


class HttpApiGateway(HTTPAdapter):
    """Routes requests to `functions` (by logical id in template.yaml) as API Gateway does."""

    def __init__(self, functions: Mapping[str, LambdaHandler]) -> None:
        super().__init__()
        self._functions = functions
        self._routes = [CompiledRoute.of(route) for route in routes(load_spec())]

    def match(self, method: str, path: str) -> tuple[CompiledRoute, dict[str, str]] | None:
        """The route of `method` on `path`, else an `ANY` route of the path, if there is one."""
        for wanted in (method, "ANY"):
            for compiled in self._routes:
                found = compiled.pattern.match(path)
                if found and compiled.route.method == wanted:
                    return compiled, found.groupdict()
        return None

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        matched = self.match(str(request.method), urlsplit(str(request.url)).path)
        authorized: dict[str, Any] | tuple[int, dict[str, str], bytes] | None = None
        if matched is not None and matched[0].route.scheme is not None:
            authorized = authorizer_claims({k.lower(): str(v) for k, v in request.headers.items()})
        if matched is None:
            status, headers, body = NOT_FOUND
        elif isinstance(authorized, tuple):
            status, headers, body = authorized
        else:
            route, path_parameters = matched
            function = route.route.function
            result = self._functions[function](
                http_api_event(request, route, path_parameters, authorized),
                LambdaContext(function),
            )
            status, headers, body = lambda_response(result)
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(body),
            headers=headers,
            status=status,
            version=11,
            preload_content=False,
            request_method=request.method,
        )
        return self.build_response(request, raw)

    def close(self) -> None:
        pass


def lambda_response(result: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a payload format 2.0 function result."""
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode("utf-8")
    headers = dict(result.get("headers") or {})
    if result.get("cookies"):
        headers["set-cookie"] = ", ".join(result["cookies"])
    headers["content-length"] = str(len(body))
    return int(result["statusCode"]), headers, body


class AsgiTransport(HTTPAdapter):
    """Sends requests to an ASGI app in process, through Starlette's test client; so that
    every request of a run, Schemathesis' own probes too, takes one path."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self._client = TestClient(app, base_url=BASE_URL)

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        answer = self._client.request(
            str(request.method),
            str(request.url),
            headers=[(name, _header_bytes(value)) for name, value in request.headers.items()],
            content=request_body(request),
        )
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(answer.content),
            headers=urllib3.HTTPHeaderDict(answer.headers.multi_items()),
            status=answer.status_code,
            version=11,
            preload_content=False,
            request_method=request.method,
        )
        return self.build_response(request, raw)

    def close(self) -> None:
        pass


def _header_bytes(value: str | bytes) -> bytes:
    """A header value as requests would send it: Latin-1, else its UTF-8 bytes."""
    if isinstance(value, bytes):
        return value
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def asgi_session(app: Any) -> requests.Session:
    """A requests session whose requests to BASE_URL go to the ASGI `app`."""
    session = requests.Session()
    session.mount(BASE_URL, AsgiTransport(app))
    return session


def gateway_session(functions: Mapping[str, LambdaHandler]) -> requests.Session:
    """A requests session whose requests to BASE_URL go through the gateway to `functions`."""
    session = requests.Session()
    session.mount(BASE_URL, HttpApiGateway(functions))
    return session
