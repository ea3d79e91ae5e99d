"""Schemathesis' state machine over the links of openapi.yaml, with all default checks."""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
from hypothesis.errors import FlakyStrategyDefinition
from schemathesis import Case

from tests.contract.targets import Target, load_schema

schema = load_schema()
Workflow = schema.as_state_machine()
# A live API keeps what earlier scenarios made, so the same choices can meet other answers
# and Hypothesis stops exploring (FlakyStrategyDefinition, never a failed check); it then
# goes on from the next seed until the scenarios are done.
MAX_RESTARTS = 20


def test_every_link_leads_where_the_contract_says(target: Target) -> None:
    scenarios = 0

    class WorkflowOnTarget(Workflow):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            # A local target starts each scenario empty, so the same choices always meet
            # the same answers and the run is deterministic.
            target.empty()

        def teardown(self) -> None:
            nonlocal scenarios
            scenarios += 1

        def get_call_kwargs(self, case: Case[Any]) -> dict[str, Any]:
            return target.call_kwargs

    base = schema.config.get_hypothesis_settings(phase="stateful")
    for restart in range(MAX_RESTARTS):
        settings = hypothesis.settings(
            base,
            max_examples=base.max_examples - scenarios,
            phases=[hypothesis.Phase.generate],
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        try:
            hypothesis.seed(schema.config.seed + restart)(WorkflowOnTarget).run(settings=settings)
        except FlakyStrategyDefinition:
            if target.settings is not None:
                raise
            if scenarios < base.max_examples:
                continue
        return
    pytest.fail(f"only {scenarios} of {base.max_examples} scenarios ran")
