"""The suite over HTTP, as `python -m contract URL` runs it: the API at CONTRACT_URL, the spec
at CONTRACT_SPEC."""

from __future__ import annotations

import os
from pathlib import Path

from schemathesis.specs.openapi.schemas import OpenApiSchema

from contract.suite import Target, load_schema


def live_schema() -> OpenApiSchema:
    max_examples = os.environ.get("CONTRACT_MAX_EXAMPLES")
    return load_schema(
        Path(os.environ["CONTRACT_SPEC"]),
        max_examples=int(max_examples) if max_examples else None,
    )


def live_target() -> Target:
    """The API at CONTRACT_URL, called with the bearer token in CONTRACT_TOKEN."""
    token = os.environ.get("CONTRACT_TOKEN") or None
    return Target("live", {"base_url": os.environ["CONTRACT_URL"]}, token=token)
