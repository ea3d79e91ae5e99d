"""Domain errors: the conditions under which a request cannot be served as asked. The web
layer renders them as problems (api/web/problems.py); nothing here knows HTTP beyond a status."""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """A request that cannot be served as asked; `detail` is written for the client."""

    status: ClassVar[int] = 400
    headers: ClassVar[dict[str, str]] = {}

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidRequest(DomainError):
    """The request is well-formed but breaks a rule the schema cannot express."""


class InvalidCursor(DomainError):
    """The cursor was not issued by this API for this very query."""


class NotFound(DomainError):
    """There is no such resource, or it has expired."""

    status = 404


class EmailTaken(DomainError):
    """Another live user already has this email."""

    status = 409


class AssetNotReady(DomainError):
    """The asset's file is not available: not uploaded yet, or rejected."""

    status = 409


class ConcurrentChange(DomainError):
    """The resource changed between reading and writing it; the write was not made."""

    status = 409


class VersionMismatch(DomainError):
    """The resource no longer has the entity tag the client made its change against."""

    status = 412


class ServiceUnavailable(DomainError):
    """AWS kept throttling or failing through the retries; nothing was changed."""

    status = 503
    headers = {"Retry-After": "1"}  # noqa: RUF012 - read-only

    def __init__(
        self,
        detail: str = "The service is busy; nothing was changed. Retry shortly.",
        *,
        error_type: str | None = None,
        error_code: str | None = None,
    ) -> None:
        super().__init__(detail)
        # What AWS answered, for the log line; never shown to the client.
        self.error_type = error_type
        self.error_code = error_code


class IdempotencyKeyReused(DomainError):
    """The Idempotency-Key was first used with another request body."""

    status = 422


class CreatedResourceGone(DomainError):
    """A retry with an Idempotency-Key whose resource has been deleted since: the first
    answer would point at nothing, so the retry is refused rather than replayed."""

    status = 409


class RequestInProgress(DomainError):
    """A request with this Idempotency-Key is still being served."""

    status = 409


class HeadersTooLarge(DomainError):
    """A request header, or all of them together, exceeds the limit."""

    status = 431


class BodyTooLarge(DomainError):
    """The request body exceeds the configured maximum."""

    status = 413


class UnsupportedMediaType(DomainError):
    """The request body is not of a media type the operation takes, or does not say."""

    status = 415
