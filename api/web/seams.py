"""The places where the web layer relies on Connexion's private names, each in one function
with a test (tests/unit/test_seams.py) that fails when Connexion changes it. The README's
upgrade notes list them with the others."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from connexion.middleware.abstract import ROUTING_CONTEXT
from connexion.spec import Specification
from starlette.types import Scope


@contextmanager
def skip_spec_validation() -> Iterator[None]:
    """While the block runs, Connexion does not check specs against the OpenAPI schema (it
    does so in `add_api`: 24 ms of every cold start, measured). openapi.yaml is checked by the
    contract tests instead. After the block Connexion validates as usual; apps are built
    before they serve, so no other request's spec is loaded meanwhile."""
    original = Specification.__dict__["_validate_spec"]
    Specification._validate_spec = classmethod(lambda cls, spec: None)
    try:
        yield
    finally:
        Specification._validate_spec = original


def routed_operation_id(scope: Scope) -> str | None:
    """The operationId Connexion's router recorded in the request's scope, if it routed it."""
    routing: dict[str, Any] = scope.get("extensions", {}).get(ROUTING_CONTEXT, {})
    return routing.get("operation_id")
