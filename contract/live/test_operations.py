"""Every operation of the spec, with all default checks, against CONTRACT_URL."""

from __future__ import annotations

from typing import Any

from schemathesis import Case

from contract.live import live_schema
from contract.suite import Target, check_operation

schema = live_schema()


@schema.parametrize()
def test_every_operation_keeps_the_contract(case: Case[Any], target: Target) -> None:
    check_operation(case, target)
