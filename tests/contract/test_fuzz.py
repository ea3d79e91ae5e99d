"""The contract suite's every-operation run, through the ASGI app and the Lambda functions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from schemathesis import Case

from contract.suite import Target, check_anonymous_refused, check_operation, secured_operations
from tests.contract.targets import load_schema

schema = load_schema()


@schema.parametrize()
# The target (its tables and bucket) is made once per operation, on purpose.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_keeps_the_contract(case: Case[Any], target: Target) -> None:
    check_operation(case, target)


@pytest.mark.parametrize(("method", "path"), secured_operations(schema))
def test_every_secured_operation_refuses_an_anonymous_call(
    method: str, path: str, target: Target
) -> None:
    check_anonymous_refused(schema, target, method, path)
