"""The stateful walk of the spec's links, with all default checks, against CONTRACT_URL."""

from __future__ import annotations

from contract.live import live_schema
from contract.suite import Target, walk_links


def test_every_link_leads_where_the_contract_says(target: Target) -> None:
    walk_links(live_schema(), target)
