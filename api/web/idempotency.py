"""Idempotency-Key (IETF httpapi draft) for POSTs, with Powertools' idempotency utility."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from api.rules.errors import IdempotencyKeyReused, RequestInProgress, ServiceUnavailable
from api.rules.principal import Principal

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer

WINDOW_SECONDS = 24 * 3600
# A request still "in flight" after this long has died (Lambda's timeout): its key frees.
IN_FLIGHT_MILLIS = 30_000


@dataclass(frozen=True)
class Outcome:
    """What an operation answered: the part of a response that a replay repeats."""

    body: dict[str, Any]
    status: int
    headers: dict[str, str]


def response(outcome: Outcome, replayed: bool) -> tuple[dict[str, Any], int, dict[str, str]]:
    """The operation's `body, status, headers`, marked when it replays an earlier outcome."""
    headers = {**outcome.headers, **({"Idempotent-Replayed": "true"} if replayed else {})}
    return outcome.body, outcome.status, headers


def idempotency_key(header: str | None) -> str | None:
    """The key of an Idempotency-Key header: a structured-field string, quotes optional."""
    if header is None:
        return None
    return header[1:-1] if len(header) > 1 and header[0] == header[-1] == '"' else header


class _InFlightLimit:
    """What Powertools asks of a Lambda context: how long the request may still run."""

    def get_remaining_time_in_millis(self) -> int:
        return IN_FLIGHT_MILLIS


class IdempotentRequests:
    """Runs an operation at most once per Idempotency-Key, operation and caller within the
    window, answering retries with its first outcome: one caller's key never replays
    another's response. The keys live in the persistence layer that
    `persistence_for(operation)` gives, which is built, with Powertools, on first use."""

    def __init__(self, persistence_for: Callable[[str], BasePersistenceLayer]) -> None:
        self._persistence_for = persistence_for
        self._operations: dict[str, Callable[..., dict[str, Any]]] = {}

    def run(
        self,
        operation: str,
        caller: Principal,
        key: str | None,
        payload: Mapping[str, Any],
        execute: Callable[[], Outcome],
    ) -> tuple[Outcome, bool]:
        """The outcome of `execute()`, or of its first run with this key by this caller, and
        whether it is a replay. IdempotencyKeyReused for another payload, RequestInProgress
        while the first run is still going on."""
        if key is None:
            return execute(), False
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyPersistenceLayerError,
            IdempotencyValidationError,
        )

        try:
            result = self._idempotent(operation)(
                request={"caller": caller.subject, "key": key, "payload": dict(payload)},
                execute=execute,
            )
        except IdempotencyValidationError as exc:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was used with another request body."
            ) from exc
        except IdempotencyAlreadyInProgressError as exc:
            raise RequestInProgress(
                "A request with this Idempotency-Key is still being served; retry shortly."
            ) from exc
        except IdempotencyPersistenceLayerError as exc:
            raise ServiceUnavailable(error_type=type(exc).__name__) from exc
        return Outcome(**result["outcome"]), bool(result.get("replayed"))

    def _idempotent(self, operation: str) -> Callable[..., dict[str, Any]]:
        if operation not in self._operations:
            from aws_lambda_powertools.utilities.idempotency import (
                IdempotencyConfig,
                idempotent_function,
            )

            config = IdempotencyConfig(
                event_key_jmespath="[caller, key]",
                payload_validation_jmespath="payload",
                expires_after_seconds=WINDOW_SECONDS,
                lambda_context=_InFlightLimit(),  # type: ignore[arg-type]
                response_hook=lambda stored, _record: {**stored, "replayed": True},
            )

            # Keys are scoped to the operation: the same key may create a user and an asset.
            @idempotent_function(  # type: ignore[untyped-decorator]
                data_keyword_argument="request",
                persistence_store=self._persistence_for(operation),
                config=config,
                key_prefix=operation,
            )
            def run_once(request: dict[str, Any], execute: Callable[[], Outcome]) -> dict[str, Any]:
                return {"outcome": asdict(execute())}

            self._operations[operation] = run_once
        return self._operations[operation]
