"""The only reader of the environment: everything configurable, in one frozen object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """What the application needs to know about where it runs."""

    region: str = "us-east-1"
    users_table: str = "Users"
    # None means the real AWS endpoints; the local server points this at the emulator.
    aws_endpoint_url: str | None = None
    # Origins allowed by CORS in the app itself; empty on AWS, where API Gateway does it.
    allowed_origins: tuple[str, ...] = ()
    max_body_bytes: int = 64 * 1024
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from environment variables, with the defaults above."""
        env = os.environ if env is None else env
        defaults = cls()
        origins = env.get("ALLOWED_ORIGINS", "")
        return cls(
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or defaults.region,
            users_table=env.get("USERS_TABLE", defaults.users_table),
            aws_endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
            allowed_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
            max_body_bytes=int(env.get("MAX_BODY_BYTES", defaults.max_body_bytes)),
            log_level=env.get("LOG_LEVEL", defaults.log_level),
        )
