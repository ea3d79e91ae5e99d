"""Per-caller rate limits, counted in the shared DynamoDB table: every app instance holds
each caller to one quota, past which the answer is a 429 problem with the IETF headers."""

from __future__ import annotations

import dataclasses
import re

import pytest
from starlette.testclient import TestClient

from api.aws.rate_limits import dynamo_hit_counter
from api.functions.builders import local_app, rate_limit
from api.rules.rate_limits import HitCounter, RateLimit
from tests.api.problems import assert_problem
from tests.faults import THROTTLED, FaultInjector
from tests.identity import ALICE, BOB, bearer, verify

QUOTA = 3


@pytest.fixture
def limited(settings):
    return dataclasses.replace(settings, rate_limit_per_minute=QUOTA)


def client_of(settings):
    return TestClient(local_app(settings, authenticate=verify))


def test_past_its_quota_a_caller_gets_a_429_problem_with_retry_after_and_ratelimit(limited):
    with client_of(limited) as http:
        statuses = [http.get("/assets", headers=bearer(ALICE)).status_code for _ in range(QUOTA)]
        refused = http.get("/assets", headers=bearer(ALICE))
    assert statuses == [200] * QUOTA
    assert_problem(refused, 429, f"has made {QUOTA} requests in this minute")
    retry_after = int(refused.headers["retry-after"])
    assert 1 <= retry_after <= 60
    assert refused.headers["ratelimit-policy"] == f'"per-minute";q={QUOTA};w=60'
    assert re.fullmatch(rf'"per-minute";r=0;t={retry_after}', refused.headers["ratelimit"])


def test_the_quota_is_shared_by_every_instance_and_kept_per_caller(limited):
    with client_of(limited) as first, client_of(limited) as second:
        for n in range(QUOTA):
            (first if n % 2 else second).get("/assets", headers=bearer(ALICE))
        assert first.get("/assets", headers=bearer(ALICE)).status_code == 429
        assert second.get("/assets", headers=bearer(ALICE)).status_code == 429
        assert second.get("/assets", headers=bearer(BOB)).status_code == 200


def test_anonymous_calls_and_health_are_not_counted(limited):
    with client_of(limited) as http:
        for _ in range(QUOTA + 2):
            assert http.get("/health").status_code == 200
            assert http.get("/assets").status_code == 401
        assert http.get("/assets", headers=bearer(ALICE)).status_code == 200


def test_a_quota_of_zero_switches_the_limit_off(settings):
    assert rate_limit(settings) is None
    with client_of(settings) as http:
        assert all(http.get("/assets", headers=bearer(ALICE)).status_code == 200 for _ in range(10))


def test_a_window_is_counted_in_one_item_that_expires_after_it(limited):
    counter = dynamo_hit_counter(limited)
    limit = RateLimit(counter, QUOTA)
    allowance = limit.admit(ALICE, now=1_790_000_010.5)
    assert (allowance.remaining, allowance.reset_seconds) == (QUOTA - 1, 30)
    assert counter.hit(f"{ALICE}#{1_790_000_010 // 60}", expires_at=0) == 2


class CountingCounter(HitCounter):
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def hit(self, key: str, expires_at: int) -> int:
        self.counts[key] = self.counts.get(key, 0) + 1
        return self.counts[key]


def test_the_next_window_starts_a_new_count():
    limit = RateLimit(CountingCounter(), 1)
    limit.admit(ALICE, now=119.0)
    limit.admit(ALICE, now=120.0)  # a new window: no RateLimited


def test_a_counter_that_stays_throttled_lets_the_request_through(limited):
    injector = FaultInjector()
    injector.fail("UpdateItem", THROTTLED)
    with client_of(limited) as http, injector.active():
        response = http.get("/assets", headers=bearer(ALICE))
    assert response.status_code == 200
