"""Sessions of `requests` for the contract suite's in-process targets: through the emulated
API Gateway of dev/gateway.py to Lambda handlers, or straight to an ASGI app."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from starlette.testclient import TestClient

from api.functions.runtime import LambdaHandler
from dev.gateway import Cors, HttpApiGateway, Request
from tests.identity import verify

BASE_URL = "https://api.example.com"


def request_body(request: requests.PreparedRequest) -> bytes | None:
    body: Any = request.body
    if body is None:
        return None
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes):
        return body
    return b"".join(chunk.encode() if isinstance(chunk, str) else chunk for chunk in body)


class GatewayTransport(HTTPAdapter):
    """Sends requests through `gateway`, in process."""

    def __init__(self, gateway: HttpApiGateway) -> None:
        super().__init__()
        self._gateway = gateway

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        url = urlsplit(str(request.url))
        headers = [
            (name, value if isinstance(value, str) else value.decode("latin-1"))
            for name, value in request.headers.items()
        ]
        answer = self._gateway(
            Request(str(request.method), url.path, url.query, headers, request_body(request) or b"")
        )
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(answer.body),
            headers=urllib3.HTTPHeaderDict(answer.headers),
            status=answer.status,
            version=11,
            preload_content=False,
            request_method=request.method,
        )
        return self.build_response(request, raw)

    def close(self) -> None:
        pass


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


def gateway_session(
    functions: Mapping[str, LambdaHandler], *, cors: Cors | None = None
) -> requests.Session:
    """A requests session whose requests to BASE_URL go through the emulated API Gateway to
    `functions`, its authorizer checking the test issuer's tokens."""
    session = requests.Session()
    session.mount(BASE_URL, GatewayTransport(HttpApiGateway(functions, verify, cors=cors)))
    return session
