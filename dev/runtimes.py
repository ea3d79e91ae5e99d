"""The runtime `make run` serves the API in (RUNTIME): the Python application itself, or the
TypeScript functions behind the emulated API Gateway, as on AWS."""

from __future__ import annotations

import os

from starlette.types import ASGIApp

from api.functions.builders import local_app
from api.settings import Settings
from dev.gateway import Cors, HttpApiGateway
from dev.gateway_app import GatewayApp
from dev.issuer import LocalIssuer
from dev.node_functions import NodeMissing, node_functions

RUNTIMES = ("python", "node")


def runtime() -> str:
    """The runtime RUNTIME names (python by default); ValueError for another."""
    name = os.environ.get("RUNTIME") or RUNTIMES[0]
    if name not in RUNTIMES:
        raise ValueError(f"RUNTIME must be one of {', '.join(RUNTIMES)}, not {name!r}")
    return name


def served_app(settings: Settings, issuer: LocalIssuer, name: str | None = None) -> ASGIApp:
    """The app serving the API in the runtime `name` (by default RUNTIME's), with `settings`,
    checking the tokens of `issuer`. For Node, the functions' processes start now (their
    init phase) and stop with the server."""
    if (name or runtime()) == "python":
        return local_app(settings, authenticate=issuer.verifier())
    functions = node_functions(settings)
    try:
        for function in functions.values():
            function.start()
    except NodeMissing as exc:
        raise SystemExit(f"RUNTIME=node: {exc}") from exc

    def stop() -> None:
        for function in functions.values():
            function.stop()

    gateway = HttpApiGateway(functions, issuer.verifier(), cors=Cors.of(settings.allowed_origins))
    return GatewayApp(gateway, stop)
