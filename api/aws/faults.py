"""AWS faults: which errors that outlasted the client's retries become 503 Service Unavailable,
and which refusals are errors of ours that no retry changes."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from typing import Literal, ParamSpec, TypeVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    IncompleteReadError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)
from pynamodb.exceptions import PynamoDBException

from api.rules.errors import ServiceUnavailable

# The error codes botocore's standard retry mode retries as throttling or transient
# (botocore/retries/standard.py), and the 5xx codes of DynamoDB and S3.
TRANSIENT_CODES = frozenset(
    {
        "BandwidthLimitExceeded",
        "EC2ThrottledException",
        "InternalFailure",
        "InternalError",
        "InternalServerError",
        "LimitExceededException",
        "PriorRequestNotComplete",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "RequestTimeout",
        "RequestTimeoutException",
        "ServiceUnavailable",
        "SlowDown",
        "ThrottledException",
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "TransactionInProgressException",
    }
)
# What botocore raises when no answer came: refused, reset or broken connections, timeouts
# (ReadTimeoutError and ConnectionClosedError are HTTPClientErrors; EndpointConnectionError
# and ConnectTimeoutError ConnectionErrors). Other BotoCoreErrors (no credentials, invalid
# parameters or configuration) are errors of ours, not of AWS.
TRANSIENT_EXCEPTIONS = (BotoConnectionError, HTTPClientError, IncompleteReadError)

# The reasons of a cancelled DynamoDB transaction (TransactionCanceledException's
# CancellationReasons), by what DynamoDB documents them to mean:
# - throughput: "please try again shortly", the 503 of any other throttling;
TRANSIENT_CANCELLATIONS = frozenset(
    {"ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"}
)
# - another writer: a condition that no longer holds, or a concurrent transaction on the same
#   item ("Transaction is ongoing for the item"); the caller re-reads and decides.
CONFLICT_CANCELLATIONS = frozenset({"ConditionalCheckFailed", "TransactionConflict"})
# Every other reason (ValidationError: a value or an item DynamoDB cannot store;
# ItemCollectionSizeLimitExceeded; any code DynamoDB adds later) is a refusal that the same
# request meets again: AwsRefusal, a 500.
Cancellation = Literal["none", "transient", "conflict", "refused"]

P = ParamSpec("P")
R = TypeVar("R")


class AwsRefusal(Exception):
    """AWS refused a request for a reason that no retry changes: an error of the server,
    answered 500 and logged, never a conflict for the client to retry."""


def cancellation(codes: Iterable[str | None]) -> Cancellation:
    """What the cancellation reasons of a transaction, one per action ("None" or None for
    an action that did not fail), say as a whole: a refusal outweighs throttling, which
    outweighs a conflict."""
    failed = {code for code in codes if code not in (None, "None")}
    if not failed:
        return "none"
    if failed - TRANSIENT_CANCELLATIONS - CONFLICT_CANCELLATIONS:
        return "refused"
    if failed & TRANSIENT_CANCELLATIONS:
        return "transient"
    return "conflict"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and what it wraps: a pynamodb error's `cause`, then each `__cause__`."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        wrapped = current.cause if isinstance(current, PynamoDBException) else None
        current = wrapped if wrapped is not None else current.__cause__


def _client_error(exc: BaseException) -> ClientError | None:
    """The ClientError under `exc` that carries the HTTP status: pynamodb's own
    (VerboseClientError) keeps only the error code and raises it `from` botocore's."""
    errors = [e for e in _chain(exc) if isinstance(e, ClientError)]
    with_status = [e for e in errors if "HTTPStatusCode" in e.response.get("ResponseMetadata", {})]
    return (with_status or errors or [None])[0]


def error_code(exc: BaseException) -> str | None:
    """The error code AWS answered under `exc`, None if no answer came. (pynamodb's own
    `cause_response_code` raises AttributeError when there was no answer: the HTTPClientError
    under it has `response = None`.)"""
    error = _client_error(exc)
    return None if error is None else error.response.get("Error", {}).get("Code")


def is_transient(exc: BaseException) -> bool:
    """A fault that a later retry may not meet: throttling, a 5xx, no answer at all."""
    if any(isinstance(e, TRANSIENT_EXCEPTIONS) for e in _chain(exc)):
        return True
    error = _client_error(exc)
    if error is None:
        return False
    code = str(error.response.get("Error", {}).get("Code", ""))
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    # An answer that is no AWS error document (a proxy's or an emulator's HTML page) has
    # its HTTP status as its code.
    return code in TRANSIENT_CODES or int(status) >= 500 or (code.isdigit() and int(code) >= 500)


def unavailable(exc: BaseException) -> ServiceUnavailable:
    """The 503 for `exc`, naming what AWS answered for the log."""
    error = _client_error(exc)
    cause = (
        error
        if error is not None
        else next((e for e in _chain(exc) if isinstance(e, BotoCoreError)), exc)
    )
    return ServiceUnavailable(error_type=type(cause).__name__, error_code=error_code(exc))


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
