"""Domain errors: the conditions under which a request cannot be served as asked. The web
layer renders them as problems (api/web/problems.py); nothing here knows HTTP beyond a status."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

# The realm of the Bearer challenges (RFC 6750): the one protection space of this API.
REALM = "users-assets-api"


class DomainError(Exception):
    """A request that cannot be served as asked; `detail` is written for the client, and
    `headers` are the response's fields that go with it."""

    status: ClassVar[int] = 400

    def __init__(self, detail: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = dict(headers or {})


class InvalidRequest(DomainError):
    """The request is well-formed but breaks a rule the schema cannot express."""


class InvalidCursor(DomainError):
    """The cursor was not issued by this API for this very query."""


class Unauthenticated(DomainError):
    """No bearer token, or one that is not valid: the caller is unknown. The challenge
    names the Bearer scheme, and says why a token that was sent is refused (RFC 6750)."""

    status = 401

    def __init__(self, detail: str, *, token_sent: bool = True) -> None:
        challenge = f'Bearer realm="{REALM}"'
        if token_sent:
            # error_description allows no quote or backslash (RFC 6750 section 3).
            description = "".join(c for c in detail if c not in '"\\' and " " <= c <= "~")
            challenge += f', error="invalid_token", error_description="{description}"'
        super().__init__(detail, headers={"WWW-Authenticate": challenge})


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    status = 403


class RateLimited(DomainError):
    """The caller has used up its quota of requests for the current window."""

    status = 429


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

    def __init__(
        self,
        detail: str = "The service is busy; nothing was changed. Retry shortly.",
        *,
        error_type: str | None = None,
        error_code: str | None = None,
    ) -> None:
        super().__init__(detail, headers={"Retry-After": "1"})
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
