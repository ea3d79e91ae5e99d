"""AWS clients: how hard each retries and how long it waits, built once per process."""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session
from botocore.config import Config

from api.settings import Settings

# Every AWS call makes at most 3 attempts (botocore's standard mode: exponential backoff
# with jitter), each waiting at most 1 s to connect and `aws_read_timeout_seconds` (2 s on
# AWS) for an answer: about 10 s in the worst case, so the two or three calls of a
# request fit in Lambda's 30 s.
MAX_ATTEMPTS = 3
CONNECT_TIMEOUT_SECONDS = 1
SIGNATURE_VERSION = "s3v4"  # what presigned POSTs need; DynamoDB signs with v4 anyway


def botocore_config(read_timeout_seconds: float) -> Config:
    return Config(
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=read_timeout_seconds,
    )


def aws_client(service: str, settings: Settings) -> Any:
    """One botocore client per service, region, endpoint and timeout, built on first use.
    botocore, not boto3: pynamodb needs botocore anyway, and boto3 adds 60 ms to a cold
    start."""
    return _client(
        service, settings.region, settings.aws_endpoint_url, settings.aws_read_timeout_seconds
    )


def aws_session(settings: Settings) -> botocore.session.Session:
    """The botocore session of the clients for `settings`' region and endpoint, one per
    process: its loader reads each service's model once for all those clients (pynamodb's
    too: api/functions/clients.py). It keeps the credentials it resolves first."""
    return _session(settings.region, settings.aws_endpoint_url)


@cache
def _session(region: str, endpoint_url: str | None) -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def _client(service: str, region: str, endpoint_url: str | None, read_timeout: float) -> Any:
    session = _session(region, endpoint_url)
    config = botocore_config(read_timeout).merge(Config(signature_version=SIGNATURE_VERSION))
    return session.create_client(
        service, region_name=region, endpoint_url=endpoint_url, config=config
    )


def forget_clients() -> None:
    """Drop the clients built so far: the next use builds new ones, as a new process would.
    For tests: each client holds botocore's retry quota (standard mode stops retrying once
    failures have spent it), which the faults one test injects would leave spent for the next."""
    _client.cache_clear()
    _session.cache_clear()


def pynamodb_options(settings: Settings) -> dict[str, float]:
    """The same limits, in the names pynamodb's Meta and Connection take."""
    return {
        "max_retry_attempts": MAX_ATTEMPTS - 1,
        "connect_timeout_seconds": CONNECT_TIMEOUT_SECONDS,
        "read_timeout_seconds": settings.aws_read_timeout_seconds,
    }
