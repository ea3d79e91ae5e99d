"""`make run`: the emulator, its tables and the API under uvicorn on http://127.0.0.1:8000,
the app made by dev/app.py's factory (again at each change with RELOAD=1)."""

from __future__ import annotations

import dataclasses
import os
import secrets
import signal

import uvicorn

from api.paths import ROOT
from api.resources import SECRETS
from api.settings import Settings
from dev.emulator import Emulator, create_resources, use_emulator_credentials
from dev.issuer import local_issuer
from dev.log_lines import UnknownLogFormat, log_format
from dev.runtimes import runtime
from dev.web_client import WebClient, client_config, web_origin

H11_MAX_EVENT_BYTES = 256 * 1024
EMULATOR_READ_TIMEOUT_SECONDS = 30.0
# Each caller's requests per minute unless RATE_LIMIT_PER_MINUTE says otherwise (0: off).
DEFAULT_RATE_LIMIT_PER_MINUTE = 600
# The factory uvicorn calls in the process serving the app (dev/app.py), and what it reads.
APP_FACTORY = "dev.app:create_local_app"
ENDPOINT_ENV = "AWS_ENDPOINT_URL"
RELOAD_DIRS = ("api", "dev")


def local_settings(endpoint_url: str, environment: Settings | None = None) -> Settings:
    """The environment's settings, pointed at the emulator, CORS open to a local front end.
    The emulator serves one request at a time in this process, so under load it answers
    slowly: a long read timeout keeps botocore from retrying writes that have landed.
    Without CURSOR_KEY, the cursors are signed with a random key made for this process."""
    settings = Settings.from_env() if environment is None else environment
    rate_limit = os.environ.get("RATE_LIMIT_PER_MINUTE")
    return dataclasses.replace(
        settings,
        rate_limit_per_minute=int(rate_limit) if rate_limit else DEFAULT_RATE_LIMIT_PER_MINUTE,
        aws_endpoint_url=endpoint_url,
        allowed_origins=settings.allowed_origins or (web_origin(),),
        aws_read_timeout_seconds=EMULATOR_READ_TIMEOUT_SECONDS,
        cursor_keys=settings.cursor_keys or (secrets.token_urlsafe(32).encode(),),
    )


def worker_environment(endpoint_url: str, settings: Settings, port: int) -> dict[str, str]:
    """What the app's factory needs of the process that started the emulator: its endpoint,
    the port (the issuer's URL) and the cursors' keys of `settings`, a random one included."""
    cursor = SECRETS["cursor"]
    names = (cursor.env, cursor.previous_env)
    keys = {name: key.decode() for name, key in zip(names, settings.cursor_keys, strict=False)}
    return {ENDPOINT_ENV: endpoint_url, "PORT": str(port), **keys}


def cursor_key_note(environment: Settings) -> str:
    """What the server tells its user of the cursors' key."""
    if environment.cursor_keys:
        return "Cursors:  signed with CURSOR_KEY"
    return (
        "Cursors:  signed with a random key made for this process; they stop working when it "
        "stops (set CURSOR_KEY to keep them)"
    )


def main() -> None:
    use_emulator_credentials()
    port = int(os.environ.get("PORT", "8000"))
    try:
        log, served = log_format(), runtime()
    except (UnknownLogFormat, ValueError) as exc:
        raise SystemExit(str(exc)) from None
    reload = os.environ.get("RELOAD", "0") not in ("", "0")
    emulator = Emulator(port=int(os.environ.get("EMULATOR_PORT", "5555"))).start()
    try:
        environment = Settings.from_env()
        settings = local_settings(emulator.endpoint_url, environment)
        create_resources(settings)
        issuer = local_issuer(port)
        os.environ.update(worker_environment(emulator.endpoint_url, settings, port))
        api = f"http://127.0.0.1:{port}"
        web = WebClient(client_config(issuer, api, web_origin())).start()
        limit = settings.rate_limit_per_minute
        print(
            f"API:      {api} (its front page links to the web client, the docs and the spec)\n"
            f"Docs:     {api}{'/ui' if served == 'python' else '/docs'}\n"
            f"Runtime:  {served} (RUNTIME=python or node)\n"
            f"Web:      {web.url}{'' if web.built else ' (run make web to build it)'}\n"
            f"Emulator: {emulator.endpoint_url} (DynamoDB and S3, in this process)\n"
            f"Tokens:   issued by {issuer.issuer} (JWKS at {api}/.well-known/jwks.json):"
            " make token SUB=<subject> [ADMIN=1]\n"
            f"Limit:    {f'{limit} requests per minute per caller' if limit else 'none'}"
            " (RATE_LIMIT_PER_MINUTE)\n"
            f"{cursor_key_note(environment)}\n"
            f"Log:      {log} lines (LOG_FORMAT=short or json)\n"
            f"Reload:   {'on changes to the Python files of api/ and dev/' if reload else 'off'}"
            " (RELOAD=1)\n"
            f"Try:      TOKEN=$(make -s token SUB=ada ADMIN=1)\n"
            f'          curl -s -X POST {api}/users -H "Authorization: Bearer $TOKEN" '
            "-H 'Content-Type: application/json' "
            """-d '{"email": "ada@example.com", "name": "Ada Lovelace"}'\n""",
            flush=True,
        )
        # uvicorn shuts down gracefully on SIGINT or SIGTERM, then raises the signal again;
        # made to behave as Ctrl-C does, SIGTERM then ends uvicorn.run, not the process.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        uvicorn.run(
            APP_FACTORY,
            factory=True,
            reload=reload,
            reload_dirs=[str(ROOT / folder) for folder in RELOAD_DIRS] if reload else None,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            # Let oversized headers reach the app, which answers them with a problem (431).
            h11_max_incomplete_event_size=H11_MAX_EVENT_BYTES,
        )
        print("Stopped.", flush=True)
        web.stop()
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
