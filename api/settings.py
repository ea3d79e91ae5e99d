"""The only reader of the environment: everything configurable, in one frozen object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

MAX_UPLOAD_URL_SECONDS = 3600


@dataclass(frozen=True)
class Settings:
    """What the application needs to know about where it runs."""

    region: str = "us-east-1"
    users_table: str = "Users"
    assets_table: str = "Assets"
    assets_bucket: str = "assets"
    idempotency_table: str = "Idempotency"
    # How long a presigned upload stays usable; never more than an hour.
    upload_url_expires_seconds: int = 15 * 60
    # None means the real AWS endpoints; the local server points this at the emulator.
    aws_endpoint_url: str | None = None
    # Origins allowed by CORS in the app itself; empty on AWS, where API Gateway does it.
    allowed_origins: tuple[str, ...] = ()
    max_body_bytes: int = 64 * 1024
    # How long an AWS call may take to answer before botocore retries it.
    aws_read_timeout_seconds: float = 2.0
    log_level: str = "INFO"
    metrics_namespace: str = "UsersAssetsApi"

    def __post_init__(self) -> None:
        if not 1 <= self.upload_url_expires_seconds <= MAX_UPLOAD_URL_SECONDS:
            raise ValueError(
                f"UPLOAD_URL_EXPIRES_SECONDS must be 1..{MAX_UPLOAD_URL_SECONDS}, "
                f"not {self.upload_url_expires_seconds}"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from environment variables, with the defaults above."""
        env = os.environ if env is None else env
        defaults = cls()
        origins = env.get("ALLOWED_ORIGINS", "")
        return cls(
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or defaults.region,
            users_table=env.get("USERS_TABLE", defaults.users_table),
            assets_table=env.get("ASSETS_TABLE", defaults.assets_table),
            assets_bucket=env.get("ASSETS_BUCKET", defaults.assets_bucket),
            idempotency_table=env.get("IDEMPOTENCY_TABLE", defaults.idempotency_table),
            upload_url_expires_seconds=int(
                env.get("UPLOAD_URL_EXPIRES_SECONDS", defaults.upload_url_expires_seconds)
            ),
            aws_endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
            allowed_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
            max_body_bytes=int(env.get("MAX_BODY_BYTES", defaults.max_body_bytes)),
            aws_read_timeout_seconds=float(
                env.get("AWS_READ_TIMEOUT_SECONDS", defaults.aws_read_timeout_seconds)
            ),
            log_level=env.get("LOG_LEVEL", defaults.log_level),
            metrics_namespace=env.get("METRICS_NAMESPACE", defaults.metrics_namespace),
        )
