"""The rate-limits table: one counter item per caller and window, shared by every instance
of every function."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from api.aws.dynamo import bind_model
from api.aws.faults import translating_faults
from api.rules.rate_limits import HitCounter
from api.settings import Settings

RATE_LIMITS_TABLE = "rate_limits"


class RateLimitWindow(Model):
    """The requests one caller made in one window: `window` is `{subject}#{window number}`,
    `hits` the count, `ttl` when DynamoDB may sweep the item."""

    class Meta:
        table_name = "RateLimits"

    window = UnicodeAttribute(hash_key=True)
    hits = NumberAttribute(default=0)
    ttl = NumberAttribute(null=True)


class DynamoHitCounter(HitCounter):
    """Counts with one UpdateItem (ADD) per request: atomic across instances, one write
    request unit each, and no read."""

    def __init__(self, model: type[RateLimitWindow]) -> None:
        self._model = model

    @translating_faults
    def hit(self, key: str, expires_at: int) -> int:
        window = self._model(key)
        window.update(actions=[self._model.hits.add(1), self._model.ttl.set(expires_at)])
        return int(window.hits)


def bind_rate_limit_windows(settings: Settings) -> type[RateLimitWindow]:
    """The windows' model bound to the rate-limits table named in `settings`."""
    return bind_model(RateLimitWindow, RATE_LIMITS_TABLE, settings)


def dynamo_hit_counter(settings: Settings) -> DynamoHitCounter:
    """The counter in the rate-limits table named in `settings`; connects on first use."""
    return DynamoHitCounter(bind_rate_limit_windows(settings))
