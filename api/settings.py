"""The only reader of the environment: everything configurable, in one frozen object."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from api.resources import BUCKETS, SECRETS, TABLES, Bucket, Secret, Table
from api.rules.cursors import MIN_KEY_BYTES

MAX_UPLOAD_URL_SECONDS = 3600


class MissingSetting(RuntimeError):
    """A setting that has no default where the application runs is not set."""


def local_table_names() -> dict[str, str]:
    return {key: table.local_name for key, table in TABLES.items()}


def local_bucket_names() -> dict[str, str]:
    return {key: bucket.local_name for key, bucket in BUCKETS.items()}


@dataclass(frozen=True)
class Settings:
    """What the application needs to know about where it runs."""

    region: str = "us-east-1"
    # Table and bucket names by their key in api/resources.py.
    tables: Mapping[str, str] = field(default_factory=local_table_names)
    buckets: Mapping[str, str] = field(default_factory=local_bucket_names)
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
    # The keys of the page cursors' HMAC: CURSOR_KEY, which signs, then CURSOR_KEY_PREVIOUS
    # if set, which is still accepted during a rotation. Empty when not configured; never
    # part of the repr.
    cursor_keys: tuple[bytes, ...] = field(default=(), repr=False)
    # The claim of a verified token listing its groups, and the group of administrators:
    # Cognito's by default; another OIDC issuer's by configuration.
    admin_claim: str = "cognito:groups"
    admin_group: str = "admin"
    # Requests each caller may make per minute, counted across every instance; 0: no limit.
    rate_limit_per_minute: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.upload_url_expires_seconds <= MAX_UPLOAD_URL_SECONDS:
            raise ValueError(
                f"UPLOAD_URL_EXPIRES_SECONDS must be 1..{MAX_UPLOAD_URL_SECONDS}, "
                f"not {self.upload_url_expires_seconds}"
            )
        if self.rate_limit_per_minute < 0:
            raise ValueError("RATE_LIMIT_PER_MINUTE must be 0 (no limit) or more")
        if any(len(key) < MIN_KEY_BYTES for key in self.cursor_keys):
            raise ValueError(
                f"CURSOR_KEY and CURSOR_KEY_PREVIOUS must be at least {MIN_KEY_BYTES} bytes long"
            )

    def table(self, key: str) -> str:
        """The name of the table registered as `key`."""
        return self.tables[key]

    def bucket(self, key: str) -> str:
        """The name of the bucket registered as `key`."""
        return self.buckets[key]

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        required: Iterable[Table | Bucket | Secret] = (),
    ) -> Settings:
        """Build settings from environment variables, with the defaults above. The `required`
        resources must be set (a Lambda function's own: a default there would silently point
        it at a table of another stack, or leave it without its secret); MissingSetting
        otherwise."""
        env = os.environ if env is None else env
        missing = sorted(resource.env for resource in required if not env.get(resource.env))
        if missing:
            raise MissingSetting(f"these environment variables must be set: {', '.join(missing)}")
        cursor = SECRETS["cursor"]
        cursor_key, previous_cursor_key = env.get(cursor.env), env.get(cursor.previous_env)
        if previous_cursor_key and not cursor_key:
            raise MissingSetting(f"{cursor.previous_env} is set, so {cursor.env} must be set too")
        defaults = cls()
        origins = env.get("ALLOWED_ORIGINS", "")
        return cls(
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or defaults.region,
            tables={k: env.get(t.env) or t.local_name for k, t in TABLES.items()},
            buckets={k: env.get(b.env) or b.local_name for k, b in BUCKETS.items()},
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
            cursor_keys=tuple(k.encode() for k in (cursor_key, previous_cursor_key) if k),
            admin_claim=env.get("ADMIN_CLAIM") or defaults.admin_claim,
            admin_group=env.get("ADMIN_GROUP") or defaults.admin_group,
            rate_limit_per_minute=int(
                env.get("RATE_LIMIT_PER_MINUTE") or defaults.rate_limit_per_minute
            ),
        )
