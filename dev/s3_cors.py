"""S3's CORS, which moto does not apply as S3 does (its server adds `Access-Control-Allow-
Origin: *` to every answer, and a preflight's check ignores methods and headers): the bucket's
CORS rules as template.yaml gives them, and a WSGI layer in front of moto that answers
preflights and adds CORS headers from the rules stored on the bucket, as S3 does.

What S3 does ("Using cross-origin resource sharing", "How does Amazon S3 evaluate the CORS
configuration on a bucket?"): the first rule whose AllowedOrigins match the Origin (one `*`
wildcard each), whose AllowedMethods hold the method (the preflight's requested method) and,
for a preflight, whose AllowedHeaders match every requested header, decides. A preflight that
no rule allows, or to a bucket without CORS, answers 403 with no CORS headers; another request
is served as usual, with CORS headers only when a rule allows it (the browser refuses the rest).
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote

from samtranslator.yaml_helper import yaml_parse

from api.paths import ROOT
from dev.s3_post_policy import Refusal, StartResponse, WsgiApp, error_response

TEMPLATE_PATH = ROOT / "template.yaml"
# The template parameter the rules take their origins from.
ORIGINS_PARAMETER = "AllowedOrigins"
_S3_NAMESPACE = "{http://s3.amazonaws.com/doc/2006-03-01/}"
_NOT_ALLOWED = (
    "CORSResponse: This CORS request is not allowed. This is usually because the evalution of "
    "Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers "
    "are not whitelisted by the resource's CORS spec."
)
_NOT_ENABLED = "CORSResponse: CORS is not enabled for this bucket."
_VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"


@dataclass(frozen=True)
class CorsRule:
    """One rule of a bucket's CORS configuration, with S3's names."""

    allowed_origins: tuple[str, ...]
    allowed_methods: tuple[str, ...]
    allowed_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age_seconds: int | None = None

    def allows(self, origin: str, method: str, headers: Sequence[str] = ()) -> bool:
        return (
            any(_matches(pattern, origin) for pattern in self.allowed_origins)
            and method in self.allowed_methods
            and all(
                any(_matches(pattern.lower(), header.lower()) for pattern in self.allowed_headers)
                for header in headers
            )
        )

    def as_s3(self) -> dict[str, Any]:
        """The rule as PutBucketCors takes it."""
        rule: dict[str, Any] = {
            "AllowedOrigins": list(self.allowed_origins),
            "AllowedMethods": list(self.allowed_methods),
        }
        if self.allowed_headers:
            rule["AllowedHeaders"] = list(self.allowed_headers)
        if self.expose_headers:
            rule["ExposeHeaders"] = list(self.expose_headers)
        if self.max_age_seconds is not None:
            rule["MaxAgeSeconds"] = self.max_age_seconds
        return rule


def _matches(pattern: str, value: str) -> bool:
    expression = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(expression, value) is not None


@cache
def _template_rules(logical_id: str) -> tuple[dict[str, Any], ...]:
    resource = yaml_parse(TEMPLATE_PATH.read_text(encoding="utf-8"))["Resources"][logical_id]
    configuration = resource["Properties"].get("CorsConfiguration", {"CorsRules": []})
    return tuple(configuration["CorsRules"])


def template_cors_rules(logical_id: str, allowed_origins: Sequence[str]) -> tuple[CorsRule, ...]:
    """The CORS rules template.yaml gives the bucket `logical_id`, its origins parameter
    taking the value `allowed_origins`."""

    def origins(value: Any) -> tuple[str, ...]:
        if value == {"Ref": ORIGINS_PARAMETER}:
            return tuple(allowed_origins)
        return tuple(value)

    return tuple(
        CorsRule(
            allowed_origins=origins(rule["AllowedOrigins"]),
            allowed_methods=tuple(rule["AllowedMethods"]),
            allowed_headers=tuple(rule.get("AllowedHeaders", ())),
            expose_headers=tuple(rule.get("ExposedHeaders", ())),
            max_age_seconds=rule.get("MaxAge"),
        )
        for rule in _template_rules(logical_id)
    )


class BucketCorsLayer:
    """In front of a WSGI S3 (moto): CORS as S3 applies a bucket's CORS configuration. Any
    CORS header the app behind it adds is dropped; preflights never reach it."""

    def __init__(self, app: WsgiApp) -> None:
        self._app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        bucket = _bucket_of(environ)
        origin = environ.get("HTTP_ORIGIN")
        method = environ.get("REQUEST_METHOD", "")
        if bucket is None:
            return self._app(environ, start_response)
        resource = "OBJECT" if "/" in environ.get("PATH_INFO", "").strip("/") else "BUCKET"
        if method == "OPTIONS":
            return self._preflight(environ, bucket, resource, start_response)
        rule = None
        if origin is not None:
            rule = next((r for r in self._rules(bucket) if r.allows(origin, method)), None)
        added = [] if rule is None or origin is None else _allow_headers(rule, origin, method)

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [(name, value) for name, value in headers if not _is_cors(name)]
            return start_response(status, kept + added, exc_info)

        return self._app(environ, start)

    def _preflight(
        self, environ: Mapping[str, Any], bucket: str, resource: str, start_response: StartResponse
    ) -> list[bytes]:
        origin = environ.get("HTTP_ORIGIN")
        method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
        if origin is None or method is None:
            refusal = Refusal(
                400,
                "BadRequest",
                "Insufficient information. Origin request header needed.",
            )
            return error_response(refusal, start_response)
        requested = [
            header.strip()
            for header in environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "").split(",")
            if header.strip()
        ]
        rules = self._rules(bucket)
        rule = next((r for r in rules if r.allows(origin, method, requested)), None)
        if rule is None:
            message = _NOT_ALLOWED if rules else _NOT_ENABLED
            details = (("Method", method), ("ResourceType", resource))
            return error_response(Refusal(403, "AccessForbidden", message, details), start_response)
        headers = _allow_headers(rule, origin, method)
        if requested:
            headers.append(("Access-Control-Allow-Headers", ", ".join(requested)))
        start_response("200 OK", [*headers, ("Content-Length", "0")])
        return [b""]

    def _rules(self, bucket: str) -> list[CorsRule]:
        """The CORS rules stored on `bucket`, as GetBucketCors answers them."""
        path = "/" + bucket
        request = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "RAW_URI": quote(path) + "?cors",
            "REQUEST_URI": quote(path) + "?cors",
            "QUERY_STRING": "cors",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "CONTENT_LENGTH": "0",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
        }
        answer: dict[str, int] = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            answer["status"] = int(status.split()[0])

        body = self._app(request, start)
        try:
            document = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        if answer.get("status") != 200:
            return []
        # moto's own answer, not a client's document.
        configuration = ET.fromstring(document)  # noqa: S314
        return [_rule_from_xml(element) for element in configuration]


def _rule_from_xml(element: ET.Element) -> CorsRule:
    def values(tag: str) -> tuple[str, ...]:
        return tuple(child.text or "" for child in element.iter(_S3_NAMESPACE + tag))

    max_age = element.find(_S3_NAMESPACE + "MaxAgeSeconds")
    return CorsRule(
        allowed_origins=values("AllowedOrigin"),
        allowed_methods=values("AllowedMethod"),
        allowed_headers=values("AllowedHeader"),
        expose_headers=values("ExposeHeader"),
        max_age_seconds=None if max_age is None else int(max_age.text or 0),
    )


def _allow_headers(rule: CorsRule, origin: str, method: str) -> list[tuple[str, str]]:
    wildcard = rule.allowed_origins == ("*",)
    headers = [
        ("Access-Control-Allow-Origin", "*" if wildcard else origin),
        ("Access-Control-Allow-Methods", ", ".join(rule.allowed_methods)),
        ("Vary", _VARY),
    ]
    if not wildcard:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    if rule.expose_headers:
        headers.append(("Access-Control-Expose-Headers", ", ".join(rule.expose_headers)))
    if rule.max_age_seconds is not None:
        headers.append(("Access-Control-Max-Age", str(rule.max_age_seconds)))
    return headers


def _is_cors(name: str) -> bool:
    return name.lower().startswith("access-control-")


def _bucket_of(environ: Mapping[str, Any]) -> str | None:
    """The bucket of an S3 request (path style, or virtual-hosted); None for the emulator's
    other services, which are served at the root."""
    host: str = environ.get("HTTP_HOST", "")
    label, dot, _ = host.split(":")[0].partition(".")
    if dot and not label.isdigit() and label != "localhost":
        return label
    bucket: str = environ.get("PATH_INFO", "").lstrip("/").split("/")[0]
    return bucket or None
