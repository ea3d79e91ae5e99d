"""The contract suite: every operation of the spec with all of Schemathesis' default checks,
then the stateful walk of its links. It knows only the spec and where to send requests, so
it tests any implementation: `python -m contract URL` runs it over HTTP (contract/live/), and
the repository's tests run the very same functions in process (tests/contract/)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import schemathesis
from hypothesis.errors import FlakyStrategyDefinition
from schemathesis import Case
from schemathesis.specs.openapi.schemas import OpenApiSchema

CONFIG_PATH = Path(__file__).with_name("schemathesis.toml")
# A live API keeps what earlier scenarios made, so the same choices can meet other answers
# and Hypothesis stops exploring (FlakyStrategyDefinition, never a failed check); it then
# goes on from the next seed until the scenarios are done.
MAX_RESTARTS = 20


def load_schema(spec_path: Path, *, max_examples: int | None = None) -> OpenApiSchema:
    """The spec at `spec_path`, configured by contract/schemathesis.toml (and so its hooks)."""
    config = schemathesis.Config.from_path(CONFIG_PATH)
    schema = schemathesis.openapi.from_path(spec_path, config=config)
    if max_examples is not None:
        schema.config.generation.update(max_examples=max_examples)
    return schema


@dataclass
class Target:
    """Where requests go, as keyword arguments of Schemathesis' `case.call`, and, when the
    target can be emptied (a local one), how: each stateful scenario then starts empty and
    the run is deterministic."""

    name: str
    call_kwargs: dict[str, Any] = field(default_factory=dict)
    empty: Callable[[], None] | None = None


def check_operation(case: Case[Any], target: Target) -> None:
    """One generated request to `target`, and every default check on its response."""
    case.call_and_validate(**target.call_kwargs)


def walk_links(schema: OpenApiSchema, target: Target) -> None:
    """Schemathesis' state machine over the links of the spec against `target`, with all
    default checks, for as many scenarios as the configuration asks."""
    scenarios = 0
    base = schema.config.get_hypothesis_settings(phase="stateful")

    class WorkflowOnTarget(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            if target.empty is not None:
                target.empty()

        def teardown(self) -> None:
            nonlocal scenarios
            scenarios += 1

        def get_call_kwargs(self, case: Case[Any]) -> dict[str, Any]:
            return target.call_kwargs

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
            if target.empty is not None:
                raise
            if scenarios < base.max_examples:
                continue
        return
    raise AssertionError(f"only {scenarios} of {base.max_examples} scenarios ran")
