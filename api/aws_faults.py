"""AWS faults: how hard each client retries, and which errors become 503 Service Unavailable."""

from __future__ import annotations

import functools
from collections.abc import Callable
from functools import cache
from typing import Any, ParamSpec, TypeVar

import botocore.session
import structlog
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException

from api.errors import ServiceUnavailable
from api.settings import Settings

# Every AWS call makes at most 3 attempts (botocore's standard mode: exponential backoff
# with jitter), each waiting at most 1 s to connect and `aws_read_timeout_seconds` (2 s on
# AWS) for an answer: about 10 s in the worst case, so the two or three calls of a
# request fit in Lambda's 30 s.
MAX_ATTEMPTS = 3
CONNECT_TIMEOUT_SECONDS = 1
SIGNATURE_VERSION = "s3v4"  # what presigned POSTs need; DynamoDB signs with v4 anyway


def botocore_config(settings: Settings) -> Config:
    return Config(
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=settings.aws_read_timeout_seconds,
    )


@cache
def aws_client(service: str, settings: Settings) -> Any:
    """One botocore client per service and settings, built on first use. botocore, not
    boto3: pynamodb needs botocore anyway, and boto3 adds 60 ms to a cold start."""
    session = botocore.session.get_session()
    return session.create_client(
        service,
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint_url,
        config=botocore_config(settings).merge(Config(signature_version=SIGNATURE_VERSION)),
    )


def pynamodb_options(settings: Settings) -> dict[str, float]:
    """The same limits, in the names pynamodb's Meta and Connection take."""
    return {
        "max_retry_attempts": MAX_ATTEMPTS - 1,
        "connect_timeout_seconds": CONNECT_TIMEOUT_SECONDS,
        "read_timeout_seconds": settings.aws_read_timeout_seconds,
    }


TRANSIENT_CODES = frozenset(
    {
        "InternalFailure",
        "InternalError",
        "InternalServerError",
        "LimitExceededException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "RequestTimeout",
        "ServiceUnavailable",
        "SlowDown",
        "ThrottledException",
        "ThrottlingException",
    }
)
# Cancellation reasons of a DynamoDB transaction that mean "try later", not "conflict".
TRANSIENT_CANCELLATIONS = frozenset(
    {"ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"}
)

P = ParamSpec("P")
R = TypeVar("R")
log = structlog.get_logger("api.aws")


def is_transient(exc: BaseException) -> bool:
    """A fault that a later retry may not meet: throttling, a 5xx, a broken connection."""
    cause = exc.cause if isinstance(exc, PynamoDBException) else exc
    if isinstance(cause, BotoCoreError):
        return True  # connection errors and timeouts: botocore's client-side failures
    if isinstance(cause, ClientError):
        error = cause.response.get("Error", {})
        status = cause.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return error.get("Code") in TRANSIENT_CODES or int(status) >= 500
    return False


def unavailable(exc: BaseException) -> ServiceUnavailable:
    cause = exc.cause if isinstance(exc, PynamoDBException) else exc
    code = cause.response.get("Error", {}).get("Code") if isinstance(cause, ClientError) else None
    log.warning("aws_unavailable", error_type=type(cause).__name__, error_code=code)
    return ServiceUnavailable("The service is busy; nothing was changed. Retry shortly.")


def translating_faults(method: Callable[P, R]) -> Callable[P, R]:
    """Storage methods raise ServiceUnavailable for transient AWS faults that outlasted
    the client's retries; other AWS errors pass through unchanged."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (PynamoDBException, BotoCoreError, ClientError) as exc:
            if is_transient(exc):
                raise unavailable(exc) from exc
            raise

    return wrapper
