"""`make run`'s web client: web/dist (written by `make web`) served as static files from the
web origin, http://localhost:3000 (WEB_PORT), with the config.json the deployed client reads
from beside it, here naming the local API and issuer; and the issuer's sign-in for it."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from api.paths import ROOT
from api.settings import Settings
from dev.authorization import AUTHORIZE_PATH, SCOPES, TOKEN_PATH, AuthorizationServer
from dev.issuer import LocalIssuer

DIST = ROOT / "web" / "dist"
CONFIG_PATH = "/config.json"
DEFAULT_WEB_PORT = 3000


def web_port() -> int:
    return int(os.environ.get("WEB_PORT", str(DEFAULT_WEB_PORT)))


def web_origin(port: int | None = None) -> str:
    """The origin the client is served from (WEB_PORT, else 3000): the API allows it."""
    return f"http://localhost:{web_port() if port is None else port}"


def redirect_uri(origin: str) -> str:
    """Where sign-in sends the browser back to: the client's page, as CallbackUrls has it."""
    return origin + "/"


def client_config(issuer: LocalIssuer, api_url: str, origin: str) -> dict[str, Any]:
    """The client's config.json (the fields of web/src/config.ts) for the local API and
    issuer."""
    return {
        "apiUrl": api_url,
        "authorizeUrl": issuer.issuer + AUTHORIZE_PATH,
        "tokenUrl": issuer.issuer + TOKEN_PATH,
        "clientId": issuer.audience,
        "scope": " ".join(sorted(SCOPES)),
        "redirectUri": redirect_uri(origin),
    }


def authorization_server(issuer: LocalIssuer, settings: Settings) -> AuthorizationServer:
    """The issuer's sign-in for the local client id (the tokens' audience, as Cognito's app
    client id is), sending browsers back to the allowed origins only."""
    return AuthorizationServer(
        issuer,
        client_id=issuer.audience,
        redirect_uris=[redirect_uri(origin) for origin in settings.allowed_origins],
        allowed_origins=settings.allowed_origins,
    )


class _Files(SimpleHTTPRequestHandler):
    config: bytes = b"{}"

    def do_GET(self) -> None:
        if self.path.split("?")[0] != CONFIG_PATH:
            super().do_GET()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.config)))
        self.end_headers()
        self.wfile.write(self.config)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Static files are not worth a log line."""


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class WebClient:
    """The static server of web/dist on `port` of loopback, in background threads: on
    127.0.0.1, and on ::1 where there is IPv6, since `localhost` may name either."""

    def __init__(self, config: dict[str, Any], port: int | None = None) -> None:
        handler = type("Files", (_Files,), {"config": json.dumps(config).encode()})
        files = partial(handler, directory=str(DIST))
        first = ThreadingHTTPServer(("127.0.0.1", web_port() if port is None else port), files)
        self._servers = [first]
        with contextlib.suppress(OSError):  # no IPv6 loopback here
            self._servers.append(_IPv6Server(("::1", first.server_address[1]), files))

    @property
    def url(self) -> str:
        return web_origin(self._servers[0].server_address[1])

    @property
    def built(self) -> bool:
        return (DIST / "index.html").exists()

    def start(self) -> WebClient:
        for server in self._servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
