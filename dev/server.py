"""`make run`: the emulator, its tables and the API under uvicorn on http://127.0.0.1:8000."""

from __future__ import annotations

import dataclasses
import os
import secrets
import signal

import uvicorn

from api.functions.builders import local_app
from api.settings import Settings
from dev.emulator import Emulator, create_resources, use_emulator_credentials

DEFAULT_ORIGINS = ("http://localhost:3000",)
H11_MAX_EVENT_BYTES = 256 * 1024
EMULATOR_READ_TIMEOUT_SECONDS = 30.0


def local_settings(endpoint_url: str, environment: Settings | None = None) -> Settings:
    """The environment's settings, pointed at the emulator, CORS open to a local front end.
    The emulator serves one request at a time in this process, so under load it answers
    slowly: a long read timeout keeps botocore from retrying writes that have landed.
    Without CURSOR_KEY, the cursors are signed with a random key made for this process."""
    settings = Settings.from_env() if environment is None else environment
    return dataclasses.replace(
        settings,
        aws_endpoint_url=endpoint_url,
        allowed_origins=settings.allowed_origins or DEFAULT_ORIGINS,
        aws_read_timeout_seconds=EMULATOR_READ_TIMEOUT_SECONDS,
        cursor_keys=settings.cursor_keys or (secrets.token_bytes(32),),
    )


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
    emulator = Emulator(port=int(os.environ.get("EMULATOR_PORT", "5555"))).start()
    try:
        environment = Settings.from_env()
        settings = local_settings(emulator.endpoint_url, environment)
        create_resources(settings)
        api = f"http://127.0.0.1:{port}"
        print(
            f"API:      {api}\n"
            f"Docs:     {api}/ui\n"
            f"Emulator: {emulator.endpoint_url} (DynamoDB and S3, in this process)\n"
            f"{cursor_key_note(environment)}\n"
            f"Try:      curl -s -X POST {api}/users -H 'Content-Type: application/json' "
            """-d '{"email": "ada@example.com", "name": "Ada Lovelace"}'\n""",
            flush=True,
        )
        # uvicorn shuts down gracefully on SIGINT or SIGTERM, then raises the signal again;
        # made to behave as Ctrl-C does, SIGTERM then ends uvicorn.run, not the process.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        uvicorn.run(
            local_app(settings),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            # Let oversized headers reach the app, which answers them with a problem (431).
            h11_max_incomplete_event_size=H11_MAX_EVENT_BYTES,
        )
        print("Stopped.", flush=True)
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
