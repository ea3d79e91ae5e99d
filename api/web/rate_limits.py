"""Per-caller rate limits in the request path: after the security layer has named the
caller, before anything else is done for it."""

from __future__ import annotations

import time
from collections.abc import Callable

import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

from api.rules.errors import ServiceUnavailable
from api.rules.rate_limits import RateLimit
from api.web.identity import principal_in

log = structlog.get_logger("api.rate_limits")


class RateLimitMiddleware:
    """Counts each authenticated request against its caller's quota; past it, the request
    is answered 429 (RateLimited, with Retry-After, RateLimit and RateLimit-Policy) and
    goes no further. Should the shared counter be unavailable, the request is served: a
    limit that fails closed would turn a DynamoDB hiccup into an outage for every caller."""

    def __init__(
        self, app: ASGIApp, *, limit: RateLimit, clock: Callable[[], float] = time.time
    ) -> None:
        self.app = app
        self.limit = limit
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = principal_in(scope) if scope["type"] == "http" else None
        if principal is not None:
            try:
                self.limit.admit(principal.subject, self.clock())
            except ServiceUnavailable as exc:
                log.warning("rate_limit_unavailable", error_type=exc.error_type)
        await self.app(scope, receive, send)
