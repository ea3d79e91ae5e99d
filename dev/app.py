"""The app `make run` serves, made by a factory that uvicorn calls in the process serving it:
the same one at every restart of `make run RELOAD=1`. The emulator, its tables, the issuer's
key and the cursors' key belong to the process that started it (dev/server.py), which hands
the factory what it needs through the environment (dev.server.worker_environment), so that the data,
the tokens and the cursors stay valid across restarts."""

from __future__ import annotations

import os

from starlette.types import ASGIApp

from api.settings import MissingSetting, Settings
from dev.issuer import IssuerMiddleware, local_issuer
from dev.landing import LandingMiddleware
from dev.log_lines import ShortLinesMiddleware, log_format, use_short_lines
from dev.runtimes import served_app
from dev.server import ENDPOINT_ENV, local_settings
from dev.spec_servers import LocalSpecMiddleware
from dev.web_client import authorization_server, web_origin


def create_local_app() -> ASGIApp:
    """The local app on the emulator named by the environment, its issuer's key and its
    cursors' keys, with the issuer's sign-in for the web client, the landing page, the spec
    served with this server in it, and the log in the format LOG_FORMAT names."""
    environment = Settings.from_env()
    if environment.aws_endpoint_url is None:
        raise MissingSetting(f"{ENDPOINT_ENV} must name the emulator: start this with make run")
    settings = local_settings(environment.aws_endpoint_url, environment)
    issuer = local_issuer(int(os.environ.get("PORT", "8000")))
    app = LandingMiddleware(
        LocalSpecMiddleware(
            IssuerMiddleware(
                served_app(settings, issuer),
                issuer,
                authorization=authorization_server(issuer, settings),
            )
        ),
        web_origin(),
    )
    if log_format() == "json":
        return app
    use_short_lines()
    return ShortLinesMiddleware(app)
