"""Every operation of the spec, with all default checks, against CONTRACT_URL."""

from __future__ import annotations

from typing import Any

import pytest
from schemathesis import Case

from contract.live import live_schema
from contract.suite import Target, check_anonymous_refused, check_operation, secured_operations

schema = live_schema()


@schema.parametrize()
def test_every_operation_keeps_the_contract(case: Case[Any], target: Target) -> None:
    check_operation(case, target)


@pytest.mark.parametrize(("method", "path"), secured_operations(schema))
def test_every_secured_operation_refuses_an_anonymous_call(
    method: str, path: str, target: Target
) -> None:
    check_anonymous_refused(schema, target, method, path)
