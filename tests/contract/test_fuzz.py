"""Schemathesis over every operation of openapi.yaml, with all of its default checks."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from schemathesis import Case

from tests.contract.targets import Target, load_schema

schema = load_schema()


@schema.parametrize()
# The target (its tables and bucket) is made once per operation, on purpose.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_keeps_the_contract(case: Case[Any], target: Target) -> None:
    case.call_and_validate(**target.call_kwargs)
