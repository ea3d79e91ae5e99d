"""Fault injection at the botocore boundary: chosen AWS operations answer with an error."""

from __future__ import annotations

import contextlib
import json
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from unittest import mock

from botocore.awsrequest import AWSResponse
from botocore.endpoint import Endpoint
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError


@dataclass(frozen=True)
class Fault:
    """How an AWS service answers: an error code with its HTTP status, or no connection."""

    code: str
    status: int = 400
    cancellation_reasons: tuple[str, ...] = ()

    def response(self, request, protocol: str) -> AWSResponse:
        if protocol.startswith("json"):
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


CONNECTION_LOST = Fault("ConnectionLost", status=0)
# The request reaches the service and is carried out, but its answer never arrives.
RESPONSE_LOST = Fault("ResponseLost", status=0)
THROTTLED = Fault("ThrottlingException")
OVER_CAPACITY = Fault("ProvisionedThroughputExceededException")
DYNAMODB_DOWN = Fault("InternalServerError", status=500)
TRANSACTION_THROTTLED = Fault(
    "TransactionCanceledException", cancellation_reasons=("ThrottlingError", "None", "None")
)
S3_SLOW_DOWN = Fault("SlowDown", status=503)
S3_DOWN = Fault("InternalError", status=500)


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_kwargs) -> Iterator[bytes]:
        yield self._body


class FaultInjector:
    """While active, the named operations (e.g. "TransactWriteItems", "HeadObject", or "*")
    fail with their fault, every attempt or only the first `times` attempts."""

    def __init__(self) -> None:
        self._faults: dict[str, tuple[Fault, int | None]] = {}
        self.attempts: Counter[str] = Counter()
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def fail(self, operation: str, fault: Fault, times: int | None = None) -> None:
        self._faults[operation] = (fault, times)

    def _fault_for(self, operation: str) -> Fault | None:
        with self._lock:
            fault, times = self._faults.get(operation) or self._faults.get("*") or (None, None)
            if fault is None:
                return None
            self.attempts[operation] += 1
            if times is not None and self.attempts[operation] > times:
                return None
            return fault

    @contextlib.contextmanager
    def active(self) -> Iterator[FaultInjector]:
        original = Endpoint._do_get_response
        injector = self

        def do_get_response(endpoint, request, operation_model, context):
            fault = injector._fault_for(operation_model.name)
            if fault is None:
                return original(endpoint, request, operation_model, context)
            if fault is CONNECTION_LOST:
                return None, EndpointConnectionError(endpoint_url=request.url)
            if fault is RESPONSE_LOST:
                original(endpoint, request, operation_model, context)
                return None, ReadTimeoutError(endpoint_url=request.url)
            protocol = operation_model.service_model.resolved_protocol
            with mock.patch.object(endpoint, "_send", lambda req: fault.response(req, protocol)):
                return original(endpoint, request, operation_model, context)

        with (
            mock.patch.object(Endpoint, "_do_get_response", do_get_response),
            mock.patch("botocore.endpoint.time.sleep", self.sleeps.append),
        ):
            yield self
