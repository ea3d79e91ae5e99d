"""Per-caller rate limits: a quota of requests in fixed windows, counted in a store every
instance shares. The rule only: the web layer asks, and says what it decided."""

from __future__ import annotations

import abc
import math
from dataclasses import dataclass

from api.rules.errors import RateLimited

POLICY_NAME = "per-minute"
WINDOW_SECONDS = 60


class HitCounter(abc.ABC):
    """A shared counter of requests per key."""

    @abc.abstractmethod
    def hit(self, key: str, expires_at: int) -> int:
        """Count one request under `key` and answer how many it has counted, this one
        included, atomically across every caller of the store; the count may be forgotten
        after `expires_at` (epoch seconds)."""


@dataclass(frozen=True)
class Allowance:
    """What a request leaves of its caller's quota: `remaining` requests until the window
    ends in `reset_seconds`."""

    quota: int
    remaining: int
    reset_seconds: int


class RateLimit:
    """At most `quota` requests per caller in each window of `WINDOW_SECONDS` seconds."""

    def __init__(self, counter: HitCounter, quota: int) -> None:
        if quota < 1:
            raise ValueError("a rate limit needs a quota of at least one request")
        self._counter = counter
        self.quota = quota

    def admit(self, subject: str, now: float) -> Allowance:
        """Count a request of `subject` at `now`; RateLimited (with what is left) if it is
        past the quota."""
        window = int(now // WINDOW_SECONDS)
        window_end = (window + 1) * WINDOW_SECONDS
        count = self._counter.hit(f"{subject}#{window}", expires_at=window_end + WINDOW_SECONDS)
        allowance = Allowance(
            quota=self.quota,
            remaining=max(self.quota - count, 0),
            reset_seconds=max(math.ceil(window_end - now), 1),
        )
        if count > self.quota:
            raise RateLimited(
                f"This caller has made {self.quota} requests in this minute; retry in "
                f"{allowance.reset_seconds} seconds.",
                headers=rate_limit_headers(allowance)
                | {"Retry-After": str(allowance.reset_seconds)},
            )
        return allowance


def rate_limit_headers(allowance: Allowance) -> dict[str, str]:
    """The IETF httpapi RateLimit and RateLimit-Policy fields for `allowance`."""
    return {
        "RateLimit": f'"{POLICY_NAME}";r={allowance.remaining};t={allowance.reset_seconds}',
        "RateLimit-Policy": f'"{POLICY_NAME}";q={allowance.quota};w={WINDOW_SECONDS}',
    }
