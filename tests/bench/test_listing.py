"""The benchmark's filtered listings (bench/listing.py) at a small size: the walk before the
budget reads every user, the listing now reads at most its budget, and the report shows both."""

from __future__ import annotations

from api.rules.paging import ITEMS_EVALUATED_PER_REQUEST
from bench.child import run_child
from bench.environment import Runtime, child_environment
from bench.report import _listing_table

USERS = ITEMS_EVALUATED_PER_REQUEST + 100


def test_the_listing_figures_count_what_each_way_of_listing_evaluates(emulator):
    listing = run_child(
        "bench.listing", [str(USERS), "600", "1"], Runtime(child_environment(emulator.endpoint_url))
    )

    department, expired = listing["department"], listing["expired"]
    assert department["before"] | {"seconds": 0} == {
        "finished": True,
        "seconds": 0,
        "query_calls": USERS // 2,  # Limit 2, the Rare user the last
        "items_evaluated": USERS,
    }
    assert department["after"]["query_calls"] == department["after"]["items_evaluated"] == 1
    assert department["after"]["items_returned"] == 1
    assert expired["before"]["finished"]
    assert expired["before"]["items_evaluated"] == USERS
    assert expired["after"]["items_evaluated"] == ITEMS_EVALUATED_PER_REQUEST
    assert expired["after"]["items_returned"] == 0
    assert expired["after"]["pages_to_the_match"] == 2
    table = "\n".join(_listing_table(listing))
    assert "GET /users?department=Rare&limit=1" in table
    assert "the match on page 2" in table
