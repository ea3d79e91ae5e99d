"""API Gateway (HTTP API) in front of the Lambda functions, emulated: what the deployed HTTP
API does with a request, for the tests' in-process sessions and for `make run RUNTIME=node`.

It picks the route from the same table `deploy.api_definition` derives from openapi.yaml for
template.yaml (one route per operation, the function chosen by the operation's tag, and the
documents' routes; a method without a route of its own takes the path's `ANY` route, if any),
answers 404 `{"message":"Not Found"}` itself when no route matches; on a secured route,
verifies the bearer token as its JWT authorizer does (401 `{"message":"Unauthorized"}` when it
is missing or invalid) and passes the verified claims on; with CORS configured, answers the
preflights and adds the CORS headers to the responses itself, ignoring the functions' own;
and otherwise invokes the route's function with a payload format 2.0 event and turns the
function's result into the response (500 `{"message":"Internal Server Error"}` when the
function fails, as a Lambda invocation error is answered).
"""

from __future__ import annotations

import base64
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from api.functions.runtime import LambdaHandler
from api.rules.errors import Unauthenticated
from api.spec import load_spec
from deploy.api_definition import PREFLIGHT, Route, cors, document_routes, routes

Headers = list[tuple[str, str]]
Verifier = Callable[[str], Mapping[str, Any]]
MEMORY_LIMIT_MB = 512
TIMEOUT_SECONDS = 30
JSON = "application/json"


@dataclass(frozen=True)
class Answer:
    """A response of the gateway: its status, headers (a name may repeat) and body."""

    status: int
    headers: Headers
    body: bytes

    @classmethod
    def message(cls, status: int, message: str, headers: Sequence[tuple[str, str]] = ()) -> Answer:
        body = b'{"message":"%s"}' % message.encode()
        length = ("content-length", str(len(body)))
        return cls(status, [("content-type", JSON), length, *headers], body)


@dataclass(frozen=True)
class Request:
    """An HTTP request as the gateway receives it: headers as sent (a name may repeat)."""

    method: str
    path: str
    query: str = ""
    headers: Headers = field(default_factory=list)
    body: bytes = b""
    source_ip: str = "127.0.0.1"

    def header(self, name: str) -> str | None:
        """The value of header `name`, repeated ones joined by commas as API Gateway does."""
        values = [value for key, value in self.headers if key.lower() == name]
        return ",".join(values) if values else None


@dataclass(frozen=True)
class LambdaContext:
    """The context object a Lambda runtime hands a handler, as far as the functions read it."""

    function_name: str
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = MEMORY_LIMIT_MB
    deadline: float = field(default_factory=lambda: time.monotonic() + TIMEOUT_SECONDS)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


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


def authorizer_claims(authorization: str | None, verify: Verifier) -> dict[str, str] | Answer:
    """The claims of the verified bearer token, as the JWT authorizer passes them (every
    claim a string, a list flattened to "[a b]"), or the authorizer's 401."""
    scheme, _, value = (authorization or "").partition(" ")
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
        return Answer.message(401, "Unauthorized", [("www-authenticate", challenge)])
    return {
        name: f"[{' '.join(map(str, claim))}]" if isinstance(claim, list) else str(claim)
        for name, claim in claims.items()
    }


def http_api_event(
    request: Request,
    route: CompiledRoute,
    path_parameters: Mapping[str, str],
    claims: Mapping[str, str] | None,
) -> dict[str, Any]:
    """The payload format 2.0 event API Gateway sends for `request` on `route`."""
    headers: dict[str, str] = {}
    for name, value in request.headers:
        key = name.lower()
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    cookies = headers.pop("cookie", None)
    query: dict[str, str] = {}
    for name, value in parse_qsl(request.query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    host = headers.get("host", "localhost")
    now = time.time()
    context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "local",
        "domainName": host,
        "domainPrefix": host.split(".", 1)[0],
        "http": {
            "method": request.method,
            "path": request.path,
            "protocol": "HTTP/1.1",
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": route.key,
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": dict(claims), "scopes": None}}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.key,
        "rawPath": request.path,
        "rawQueryString": request.query,
        **({"cookies": cookies.split("; ")} if cookies else {}),
        "headers": headers,
        "queryStringParameters": query or None,
        "pathParameters": dict(path_parameters) or None,
        "requestContext": context,
        "body": base64.b64encode(request.body).decode() if request.body else None,
        "isBase64Encoded": bool(request.body),
    }
    return event


def lambda_answer(result: Mapping[str, Any]) -> Answer:
    """The response API Gateway makes of a payload format 2.0 function result."""
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode("utf-8")
    headers = [(str(k).lower(), str(v)) for k, v in (result.get("headers") or {}).items()]
    headers = [(k, v) for k, v in headers if k != "content-length"]
    headers += [("set-cookie", cookie) for cookie in result.get("cookies") or ()]
    return Answer(int(result["statusCode"]), [*headers, ("content-length", str(len(body)))], body)


@dataclass(frozen=True)
class Cors:
    """The HTTP API's CORS configuration: the origins the template's AllowedOrigins gives,
    the methods and headers deploy.api_definition derives from the spec."""

    origins: tuple[str, ...]
    methods: tuple[str, ...]
    allow_headers: tuple[str, ...]
    expose_headers: tuple[str, ...]
    max_age: int

    @classmethod
    def of(cls, origins: Sequence[str]) -> Cors:
        rules = cors(load_spec())
        return cls(
            tuple(origins),
            tuple(rules["allowMethods"]),
            tuple(rules["allowHeaders"]),
            tuple(rules["exposeHeaders"]),
            int(rules["maxAge"]),
        )

    def allows(self, origin: str) -> bool:
        return "*" in self.origins or origin in self.origins

    def preflight(self, request: Request) -> Answer:
        """API Gateway's own answer to a CORS preflight: the allowances when the origin,
        the method and every requested header are allowed, none otherwise."""
        origin = request.header("origin") or ""
        method = (request.header("access-control-request-method") or "").upper()
        asked = request.header("access-control-request-headers") or ""
        wanted = {h.strip().lower() for h in asked.split(",") if h.strip()}
        allowed_headers = {h.lower() for h in self.allow_headers}
        methods = {m.upper() for m in self.methods}
        if not self.allows(origin) or not ({method, "*"} & methods) or wanted - allowed_headers:
            return Answer(204, [], b"")
        return Answer(
            204,
            [
                ("access-control-allow-origin", origin),
                ("access-control-allow-methods", ",".join(self.methods)),
                ("access-control-allow-headers", ",".join(self.allow_headers)),
                ("access-control-max-age", str(self.max_age)),
                ("vary", "origin"),
            ],
            b"",
        )

    def decorate(self, request: Request, answer: Answer) -> Answer:
        """`answer` with the functions' CORS headers replaced by the gateway's."""
        headers = [(k, v) for k, v in answer.headers if not k.startswith("access-control-")]
        origin = request.header("origin")
        if origin and self.allows(origin):
            headers += [
                ("access-control-allow-origin", origin),
                ("access-control-expose-headers", ",".join(self.expose_headers)),
                ("vary", "origin"),
            ]
        return Answer(answer.status, headers, answer.body)


def is_preflight(request: Request) -> bool:
    return (
        request.method == PREFLIGHT
        and request.header("origin") is not None
        and request.header("access-control-request-method") is not None
    )


class HttpApiGateway:
    """Routes requests to `functions` (by logical id in template.yaml) as API Gateway does,
    verifying bearer tokens with `verify`, answering CORS itself when `cors` is given."""

    def __init__(
        self,
        functions: Mapping[str, LambdaHandler],
        verify: Verifier,
        *,
        cors: Cors | None = None,
    ) -> None:
        self._functions = functions
        self._verify = verify
        self._cors = cors
        found = routes(load_spec()) + document_routes()
        self._routes = [CompiledRoute.of(route) for route in found]

    def match(self, method: str, path: str) -> tuple[CompiledRoute, dict[str, str]] | None:
        """The route of `method` on `path`, else an `ANY` route of the path, if there is one."""
        for wanted in (method, "ANY"):
            for compiled in self._routes:
                found = compiled.pattern.match(path)
                if found and compiled.route.method == wanted:
                    return compiled, found.groupdict()
        return None

    def __call__(self, request: Request) -> Answer:
        if self._cors is not None:
            if is_preflight(request):
                return self._cors.preflight(request)
            return self._cors.decorate(request, self._route(request))
        return self._route(request)

    def _route(self, request: Request) -> Answer:
        matched = self.match(request.method, request.path)
        if matched is None:
            return Answer.message(404, "Not Found")
        route, path_parameters = matched
        claims: dict[str, str] | None = None
        if route.route.scheme is not None:
            authorized = authorizer_claims(request.header("authorization"), self._verify)
            if isinstance(authorized, Answer):
                return authorized
            claims = authorized
        function = route.route.function
        event = http_api_event(request, route, path_parameters, claims)
        try:
            result = self._functions[function](event, LambdaContext(function))
        except FunctionError:
            return Answer.message(500, "Internal Server Error")
        return lambda_answer(result)


class FunctionError(RuntimeError):
    """A function's invocation failed (it raised, or its process ended): API Gateway answers
    the request 500 itself."""
