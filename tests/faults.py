"""Fault injection at the botocore boundary: chosen AWS operations answer with an error.

Every botocore session made in this process after this module is imported carries one
`before-send` handler (through `botocore.register_initializer`, as Powertools adds its
user agent), and so does every client made from it: the application's own and
pynamodb's, which makes a session of its own per connection. The handler does nothing
unless a FaultInjector is active. Then it answers an attempt in the service's place, or
raises as a broken connection would; botocore's retry handler judges either like a real
answer, so retries, backoff and the final error are botocore's own. This module is
imported while the tests are collected, before any client exists.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from unittest import mock

import botocore
import botocore.endpoint
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.httpsession import URLLib3Session
from botocore.session import Session


@dataclass(frozen=True)
class Fault:
    """How an AWS service answers: an error code with its HTTP status; or a `body` that is no
    AWS error document (a proxy's or an emulator's page); or no answer at all, when botocore
    `raises` what it raises then (after the service carried the request out, if
    `carried_out`)."""

    code: str
    status: int = 400
    cancellation_reasons: tuple[str, ...] = ()
    body: bytes | None = None
    raises: Callable[[str], Exception] | None = None
    carried_out: bool = False

    def response(self, request: AWSPreparedRequest) -> AWSResponse:
        if self.body is not None:
            headers = {"Content-Type": "text/html"}
            return AWSResponse(request.url, self.status, headers, _Raw(self.body))
        if "X-Amz-Target" in request.headers:  # the JSON protocol, DynamoDB's
            error: dict[str, object] = {
                "__type": f"com.amazonaws.dynamodb.v20120810#{self.code}",
                "message": "x",
            }
            if self.cancellation_reasons:
                error["CancellationReasons"] = [{"Code": c} for c in self.cancellation_reasons]
            body = json.dumps(error).encode()
            headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "f"}
        else:
            body = (
                b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>'
                + self.code.encode()
                + b"</Code><Message>injected</Message><RequestId>f</RequestId></Error>"
            )
            headers = {"Content-Type": "application/xml", "x-amz-request-id": "f"}
        return AWSResponse(request.url, self.status, headers, _Raw(body))


# No connection: refused (nothing listens), or not made in time.
CONNECTION_LOST = Fault(
    "ConnectionLost", status=0, raises=lambda url: EndpointConnectionError(endpoint_url=url)
)
CONNECT_TIMED_OUT = Fault(
    "ConnectTimeout", status=0, raises=lambda url: ConnectTimeoutError(endpoint_url=url)
)
# The connection breaks, or no answer comes in time, before the service carried it out.
CONNECTION_BROKEN = Fault(
    "ConnectionClosed", status=0, raises=lambda url: ConnectionClosedError(endpoint_url=url)
)
TIMED_OUT = Fault("ReadTimeout", status=0, raises=lambda url: ReadTimeoutError(endpoint_url=url))
# The request reaches the service and is carried out, but its answer never arrives.
RESPONSE_LOST = Fault(
    "ResponseLost",
    status=0,
    raises=lambda url: ReadTimeoutError(endpoint_url=url),
    carried_out=True,
)
THROTTLED = Fault("ThrottlingException")
OVER_CAPACITY = Fault("ProvisionedThroughputExceededException")
OVER_QUOTA = Fault("RequestLimitExceeded")
DYNAMODB_DOWN = Fault("InternalServerError", status=500)
DYNAMODB_UNAVAILABLE = Fault("ServiceUnavailable", status=503)
# What a proxy or load balancer in front answers, and what the emulator answers when it fails
# inside: pages with no AWS error code, which botocore names by the HTTP status.
GATEWAY_DOWN = Fault("502", status=502, body=b"<html><body>502 Bad Gateway</body></html>")
EMULATOR_FAILED = Fault(
    "500",
    status=500,
    body=b"<!doctype html>\n<html lang=en><title>500 Internal Server Error</title></html>",
)
TRANSACTION_THROTTLED = Fault(
    "TransactionCanceledException", cancellation_reasons=("ThrottlingError", "None", "None")
)
S3_SLOW_DOWN = Fault("SlowDown", status=503)
S3_DOWN = Fault("InternalError", status=500)


def cancelled(*reasons: str) -> Fault:
    """A TransactWriteItems cancelled with these reasons, one per action."""
    return Fault("TransactionCanceledException", cancellation_reasons=reasons)


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_kwargs: Any) -> Iterator[bytes]:
        yield self._body


class FaultInjector:
    """While active, the named operations (e.g. "TransactWriteItems", "HeadObject", or "*")
    fail with their fault, every attempt or only the first `times` attempts."""

    def __init__(self) -> None:
        self._faults: dict[str, tuple[Fault, int | None, int]] = {}
        self.attempts: Counter[str] = Counter()
        self.sleeps: list[float] = []
        self._lock = threading.Lock()
        self._http: URLLib3Session | None = None

    def fail(self, operation: str, fault: Fault, times: int | None = None, after: int = 0) -> None:
        """From the attempt after the first `after` of `operation`, `times` attempts (all, if
        None) meet `fault`."""
        self._faults[operation] = (fault, times, after)

    def _fault_for(self, operation: str) -> Fault | None:
        with self._lock:
            fault, times, after = (
                self._faults.get(operation) or self._faults.get("*") or (None, None, 0)
            )
            if fault is None:
                return None
            self.attempts[operation] += 1
            attempt = self.attempts[operation] - after
            if attempt < 1 or (times is not None and attempt > times):
                return None
            return fault

    def _answer(self, operation: str, request: AWSPreparedRequest) -> AWSResponse | None:
        """The injected answer to one attempt, None to send it as usual, or the exception
        a broken connection raises."""
        fault = self._fault_for(operation)
        if fault is None:
            return None
        if fault.carried_out:
            assert self._http is not None
            self._http.send(request)  # signed and complete: the service carries it out
        if fault.raises is not None:
            raise fault.raises(request.url)
        return fault.response(request)

    @contextlib.contextmanager
    def active(self) -> Iterator[FaultInjector]:
        global _active
        with _activation:
            if _active is not None:
                raise RuntimeError("another FaultInjector is already active")
            _active = self
        self._http = URLLib3Session()
        try:
            with _backoff_recorded_in(self.sleeps):
                yield self
        finally:
            _active = None
            self._http.close()
            self._http = None


_active: FaultInjector | None = None
_activation = threading.Lock()


def _before_send(request: AWSPreparedRequest, event_name: str, **_: Any) -> AWSResponse | None:
    """botocore's `before-send.<service>.<Operation>` handler: a response returned here is
    used instead of sending the request, and an exception raised here is treated as the
    attempt's failure (botocore/endpoint.py, Endpoint._do_get_response)."""
    injector = _active
    if injector is None:
        return None
    return injector._answer(event_name.rsplit(".", 1)[-1], request)


def _hook(session: Session) -> None:
    session.register("before-send", _before_send, unique_id=f"{__name__}.before-send")


botocore.register_initializer(_hook)


class _SleepRecorder:
    """The `time` module, except that `sleep` records its delay instead of waiting."""

    def __init__(self, delays: list[float]) -> None:
        self._delays = delays

    def sleep(self, seconds: float) -> None:
        self._delays.append(seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


@contextlib.contextmanager
def _backoff_recorded_in(delays: list[float]) -> Iterator[None]:
    """The one seam on botocore's internals here: the retry handler (a `needs-retry`
    handler) only computes each backoff, and the endpoint waits it out with `time.sleep`
    through its module's own `time` import (Endpoint._needs_retry). No event reports or
    skips that wait, so botocore.endpoint's `time` is replaced while a fault is active.
    test_a_fault_is_reached_from_every_kind_of_client_and_backs_off_between_attempts
    fails if botocore stops waiting this way."""
    with mock.patch.object(botocore.endpoint, "time", _SleepRecorder(delays)):
        yield
