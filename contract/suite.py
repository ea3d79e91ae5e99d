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
from schemathesis.specs.openapi.checks import ignored_auth
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
    """Where requests go, as keyword arguments of Schemathesis' `case.call`, the bearer
    token they carry, and, when the target can be emptied (a local one), how: each stateful
    scenario then starts empty and the run is deterministic."""

    name: str
    where: dict[str, Any] = field(default_factory=dict)
    empty: Callable[[], None] | None = None
    token: str | None = None

    @property
    def call_kwargs(self) -> dict[str, Any]:
        """`case.call`'s arguments: where, and the token as the Authorization header."""
        if self.token is None:
            return dict(self.where)
        return {**self.where, "headers": {"Authorization": f"Bearer {self.token}"}}


def excluded_checks(target: Target) -> list[Any]:
    """No default check is left out over HTTP, `ignored_auth` included: it repeats a
    successful request without the token and with a wrong one. Schemathesis sends those
    probes over a transport of its own, which cannot reach an in-process `session`; there
    `check_anonymous_refused` stands in for it."""
    return [ignored_auth] if "session" in target.where else []


def check_operation(case: Case[Any], target: Target) -> None:
    """One generated request to `target`, and every default check on its response."""
    case.call_and_validate(**target.call_kwargs, excluded_checks=excluded_checks(target))


def secured_operations(schema: OpenApiSchema) -> list[tuple[str, str]]:
    """(method, path) of every operation that needs credentials, top-level security
    applying where the operation states none."""
    raw = schema.raw_schema
    return [
        (method.upper(), path)
        for path, item in raw["paths"].items()
        for method, operation in item.items()
        if method in {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
        and operation.get("security", raw.get("security"))
    ]


def check_anonymous_refused(schema: OpenApiSchema, target: Target, method: str, path: str) -> None:
    """A call of a secured operation without credentials is 401 with a Bearer challenge
    (RFC 6750), whatever else it carries."""
    operation = schema[path][method]
    parameters = {name: "00000000-0000-4000-8000-000000000000" for name in _path_names(path)}
    case = operation.Case(path_parameters=parameters)
    response = case.call(**target.where)
    assert response.status_code == 401, f"{method} {path} without a token: {response.status_code}"
    challenge = response.headers.get("www-authenticate") or response.headers.get("WWW-Authenticate")
    assert challenge, f"{method} {path}: 401 without WWW-Authenticate"
    assert (
        str(challenge[0] if isinstance(challenge, list) else challenge).lower().startswith("bearer")
    ), challenge


def _path_names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


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

        def validate_response(
            self,
            response: Any,
            case: Case[Any],
            additional_checks: list[Any] | None = None,
            **kwargs: Any,
        ) -> None:
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=excluded_checks(target),
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

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
