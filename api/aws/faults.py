"""AWS faults: which errors that outlasted the client's retries become 503 Service Unavailable."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException

from api.rules.errors import ServiceUnavailable

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


def _cause(exc: BaseException) -> BaseException:
    """The botocore error under a pynamodb one."""
    cause = exc.cause if isinstance(exc, PynamoDBException) else exc
    return cause if cause is not None else exc


def is_transient(exc: BaseException) -> bool:
    """A fault that a later retry may not meet: throttling, a 5xx, a broken connection."""
    cause = _cause(exc)
    if isinstance(cause, BotoCoreError):
        return True  # connection errors and timeouts: botocore's client-side failures
    if isinstance(cause, ClientError):
        error = cause.response.get("Error", {})
        status = cause.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return error.get("Code") in TRANSIENT_CODES or int(status) >= 500
    return False


def unavailable(exc: BaseException) -> ServiceUnavailable:
    """The 503 for `exc`, naming what AWS answered for the log."""
    cause = _cause(exc)
    code = cause.response.get("Error", {}).get("Code") if isinstance(cause, ClientError) else None
    return ServiceUnavailable(error_type=type(cause).__name__, error_code=code)


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
