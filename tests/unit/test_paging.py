"""Pages read within a budget, from one index or merged from shards: what api/rules/paging.py
promises every listing."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.rules.paging import (
    DONE,
    ITEMS_EVALUATED_PER_REQUEST,
    Batch,
    bounded_page,
    merged_page,
)
from api.spec import load_spec, resolve


class Index:
    """Numbered items newest first, the ones in `kept` passing the filter; each read goes
    on from where the previous stopped, as DynamoDB's Query with Limit and a start key."""

    def __init__(self, size: int, kept: set[int]) -> None:
        self.items = list(range(size, 0, -1))
        self.kept = kept
        self.reads: list[int] = []
        self._at = 0

    def read(self, n: int) -> Batch[int]:
        self.reads.append(n)
        evaluated = self.items[self._at : self._at + n]
        self._at += len(evaluated)
        more = self._at < len(self.items)
        return Batch(
            [i for i in evaluated if i in self.kept],
            len(evaluated),
            {"n": evaluated[-1]} if more and evaluated else None,
        )

    def page(self, limit: int, budget: int = ITEMS_EVALUATED_PER_REQUEST):
        return bounded_page(self.read, limit, lambda item: {"n": item}, budget)


def test_a_full_page_ends_at_its_last_item_when_one_more_matches():
    index = Index(10, kept=set(range(1, 11)))

    assert index.page(3) == ([10, 9, 8], {"n": 8})
    assert index.reads == [4]  # limit + 1: one read when nothing is filtered out


def test_the_last_page_has_no_position():
    index = Index(3, kept={3, 2, 1})

    assert index.page(3) == ([3, 2, 1], None)


def test_a_filter_that_drops_items_reads_on_with_the_rest_of_the_budget():
    index = Index(50, kept={40, 2})

    assert index.page(1, budget=100) == ([40], {"n": 40})
    assert index.reads == [2, 98]
    assert sum(index.reads) <= 100


def test_when_the_budget_runs_out_the_page_is_short_and_continues_after_the_last_item_evaluated():
    index = Index(1000, kept={990, 5})

    items, position = index.page(2, budget=100)

    assert items == [990]
    assert position == {"n": 901}  # the 100th item evaluated, which the filter dropped
    assert sum(index.reads) == 100


def test_no_request_evaluates_more_than_the_budget_however_few_items_match():
    index = Index(10_000, kept=set())

    assert index.page(100) == ([], {"n": 10_000 - ITEMS_EVALUATED_PER_REQUEST + 1})
    assert sum(index.reads) == ITEMS_EVALUATED_PER_REQUEST


def test_following_the_short_pages_reaches_every_match_once():
    kept = {1000, 700, 301, 3}
    index = Index(1000, kept=kept)
    seen: list[int] = []
    position: dict[str, int] | None = {}
    while position is not None:
        index._at = 0 if not position else index.items.index(position["n"]) + 1
        items, position = index.page(1, budget=100)
        seen.extend(items)

    assert seen == sorted(kept, reverse=True)


def test_a_read_that_evaluates_nothing_still_uses_up_the_budget():
    reads = []

    def stuck(n: int) -> Batch[int]:
        reads.append(n)
        return Batch([], 0, {"n": 1})

    assert bounded_page(stuck, 5, lambda item: {"n": item}, budget=10) == ([], {"n": 1})
    assert len(reads) == 10


def test_the_budget_holds_the_largest_page_the_spec_allows_and_one_more():
    spec = load_spec()
    limit = resolve(spec, spec["components"]["parameters"]["Limit"])["schema"]
    assert limit["maximum"] + 1 <= ITEMS_EVALUATED_PER_REQUEST


@pytest.mark.parametrize("limit", [1, 20, 100])
def test_a_page_that_nothing_filters_out_is_whole_in_one_read(limit):
    index = Index(500, kept=set(range(1, 501)))

    items, position = index.page(limit)

    assert len(items) == limit
    assert position == {"n": items[-1]}
    assert index.reads == [limit + 1]


# -- merged pages ---------------------------------------------------------------------------


class Shards:
    """Items (createdAt, id) spread over shards, each shard newest first with the order of a
    createdAt GSI (createdAt, then id, descending); the ones in `kept` pass the filter. Each
    shard is read as DynamoDB's Query reads it, from after a position with a Limit."""

    def __init__(self, shards: list[list[tuple[int, str]]], kept: set[tuple[int, str]]) -> None:
        self.shards = [sorted(items, reverse=True) for items in shards]
        self.kept = kept
        self.reads: list[tuple[int, int]] = []  # (shard, Limit)

    def open(self, shard: int, after):
        items = self.shards[shard]
        at = 0 if after is None else items.index((after["createdAt"], after["id"])) + 1

        def read(n: int) -> Batch[tuple[int, str]]:
            nonlocal at
            self.reads.append((shard, n))
            evaluated = items[at : at + n]
            at += len(evaluated)
            # As DynamoDB's: a key whenever the Limit stopped the read, even at the end.
            last = evaluated[-1] if len(evaluated) == n else None
            return Batch(
                [item for item in evaluated if item in self.kept],
                len(evaluated),
                None if last is None else {"createdAt": last[0], "id": last[1]},
            )

        return read

    def page(self, positions, limit: int, budget: int = ITEMS_EVALUATED_PER_REQUEST):
        return merged_page(
            positions,
            self.open,
            limit,
            lambda item: {"createdAt": item[0], "id": item[1]},
            lambda item: item,
            budget,
        )

    def walk(self, limits: list[int], budget: int = ITEMS_EVALUATED_PER_REQUEST):
        """Every page, following the positions, the page sizes taken from `limits` in turn."""
        seen: list[tuple[int, str]] = []
        positions: list[Any] | None = [None] * len(self.shards)
        pages = 0
        while positions is not None:
            assert pages < 10_000, "the pages never end"
            items, positions = self.page(positions, limits[pages % len(limits)], budget)
            seen.extend(items)
            pages += 1
        return seen, pages


def item_sets():
    key = st.tuples(st.integers(0, 20), st.sampled_from("abcdef"))
    return st.lists(st.sets(key, max_size=40), min_size=1, max_size=8).map(
        # an item lives in one shard only, as a user does
        lambda shards: [sorted(set(s) - set().union(*shards[:i])) for i, s in enumerate(shards)]
    )


@given(
    shards=item_sets(),
    limits=st.lists(st.integers(1, 12), min_size=1, max_size=5),
    budget=st.integers(1, 40),
    data=st.data(),
)
@settings(max_examples=400, deadline=None)
def test_paging_over_shards_yields_every_kept_item_exactly_once_newest_first(
    shards, limits, budget, data
):
    everything = sorted({item for items in shards for item in items})
    dropped = data.draw(st.sets(st.sampled_from(everything)) if everything else st.just(set()))
    index = Shards(shards, kept=set(everything) - dropped)

    seen, _ = index.walk(limits, budget)

    assert seen == sorted(set(everything) - dropped, reverse=True)


@given(shards=item_sets(), limits=st.lists(st.integers(1, 12), min_size=1, max_size=5))
@settings(max_examples=200, deadline=None)
def test_a_merged_page_reads_each_shard_for_at_most_the_page_and_one_more(shards, limits):
    everything = {item for items in shards for item in items}
    index = Shards(shards, kept=everything)
    positions = [None] * len(shards)
    for limit in limits:
        index.reads.clear()
        done = [i for i, p in enumerate(positions) if p == DONE]
        _, positions = index.page(positions, limit)
        assert all(n <= limit + 1 for _, n in index.reads)
        assert not {shard for shard, _ in index.reads} & set(done)
        # with nothing filtered out, one read per shard makes a whole page
        assert len(index.reads) == len(shards) - len(done)
        if positions is None:
            break


def test_a_merged_page_takes_the_newest_items_of_all_shards_in_order():
    index = Shards([[(5, "a"), (1, "a")], [(4, "b"), (3, "b")], [(2, "c")]], kept=set())
    index.kept = {item for items in index.shards for item in items}

    items, positions = index.page([None, None, None], 3)

    assert items == [(5, "a"), (4, "b"), (3, "b")]
    # the second shard read to its end and gave all it had: done
    assert positions == [{"createdAt": 5, "id": "a"}, DONE, None]
    assert index.reads == [(0, 4), (1, 4), (2, 4)]


def test_ties_in_createdat_go_by_id_descending_across_shards():
    index = Shards([[(7, "a"), (7, "c")], [(7, "b"), (7, "d")]], kept=set())
    index.kept = {item for items in index.shards for item in items}

    assert index.walk([1]) == ([(7, "d"), (7, "c"), (7, "b"), (7, "a")], 4)


def test_a_shard_that_is_done_is_not_read_again_and_the_last_page_has_no_positions():
    index = Shards([[(3, "a")], [(2, "b"), (1, "b")]], kept={(3, "a"), (2, "b"), (1, "b")})

    first, positions = index.page([None, None], 1)
    # the first shard read to its end and gave all it had; the second gave nothing yet
    assert (first, positions) == ([(3, "a")], [DONE, None])
    index.reads.clear()
    second, positions = index.page(positions, 1)
    assert index.reads == [(1, 2)]
    assert (second, positions) == ([(2, "b")], [DONE, {"createdAt": 2, "id": "b"}])
    index.reads.clear()
    assert index.page(positions, 5) == ([(1, "b")], None)
    assert index.reads == [(1, 6)]


def test_a_shard_whose_budget_runs_out_ends_the_page_short_after_its_last_item_evaluated():
    dead = [(100 - n, "x") for n in range(50)]
    index = Shards([dead, [(10, "y")]], kept={(10, "y")})

    items, positions = index.page([None, None], 1, budget=20)

    assert items == []
    assert positions == [{"createdAt": 81, "id": "x"}, None]
    assert index.page(positions, 1, budget=40) == ([(10, "y")], None)


def test_a_merged_page_holds_at_least_one_item():
    with pytest.raises(ValueError, match="at least one"):
        Shards([[]], kept=set()).page([None], 0)
