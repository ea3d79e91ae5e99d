"""The benchmark's filtered listings (bench/listing.py) at a small size: the walk before the
budget reads every user, shard by shard, the listing now reads at most its budget of each
shard, and the report shows both."""

from __future__ import annotations

from collections import Counter

from api.rules.paging import ITEMS_EVALUATED_PER_REQUEST
from api.users.list_shards import LIST_SHARDS, all_list_shards, list_shard
from bench.child import run_child
from bench.environment import Runtime, child_environment
from bench.listing import user_id
from bench.report import _listing_table

USERS = 300
# The users of each list shard; the oldest, user 1, is the one match of both scenarios.
PER_SHARD = Counter(list_shard(user_id(n)) for n in range(1, USERS + 1))
EXPIRED_LIMIT = 20


def test_the_listing_figures_count_what_each_way_of_listing_evaluates(emulator):
    listing = run_child(
        "bench.listing", [str(USERS), "600", "1"], Runtime(child_environment(emulator.endpoint_url))
    )

    department, expired = listing["department"], listing["expired"]
    # Limit 2, each shard walked to its end (the Rare user is in one, its oldest): a call per
    # two users, and one for a shard with none.
    walks = sum(max(1, -(-PER_SHARD[shard] // 2)) for shard in all_list_shards())
    assert department["before"] | {"seconds": 0} == {
        "finished": True,
        "seconds": 0,
        "query_calls": walks,
        "items_evaluated": USERS,
    }
    assert department["after"]["query_calls"] == department["after"]["items_evaluated"] == 1
    assert department["after"]["items_returned"] == 1
    assert expired["before"]["finished"]
    assert expired["before"]["items_evaluated"] == USERS
    # Now: limit + 1 of every shard, then the rest of its budget for a shard with more.
    assert max(PER_SHARD.values()) <= ITEMS_EVALUATED_PER_REQUEST
    assert expired["after"]["items_evaluated"] == USERS
    assert expired["after"]["query_calls"] == LIST_SHARDS + sum(
        1 for shard in all_list_shards() if PER_SHARD[shard] > EXPIRED_LIMIT + 1
    )
    assert expired["after"]["items_returned"] == 1
    assert expired["after"]["pages_to_the_match"] == 1
    table = "\n".join(_listing_table(listing))
    assert "GET /users?department=Rare&limit=1" in table
    assert "the match on page 1" in table
