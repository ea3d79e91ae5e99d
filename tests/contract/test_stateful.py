"""The contract suite's walk of the links, through the ASGI app and the Lambda functions."""

from __future__ import annotations

from contract.suite import Target, walk_links
from tests.contract.targets import load_schema


def test_every_link_leads_where_the_contract_says(target: Target) -> None:
    walk_links(load_schema(), target)
