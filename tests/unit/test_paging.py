"""Pages read within a budget: what api/rules/paging.py promises every listing."""

from __future__ import annotations

import pytest

from api.rules.paging import ITEMS_EVALUATED_PER_REQUEST, Batch, bounded_page
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
