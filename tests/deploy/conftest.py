"""The spec, the template and its transformed stack, loaded once per session."""

from __future__ import annotations

from typing import Any

import pytest

from api.spec import load_spec
from tests.deploy.stack import (
    REGION,
    RUNTIMES,
    RuntimeStack,
    Stack,
    load_template,
    package,
    translate,
)


@pytest.fixture(scope="session")
def openapi() -> dict[str, Any]:
    """openapi.yaml as it is now: the routing tests follow whatever paths it has."""
    return load_spec()


@pytest.fixture(scope="session")
def sam_template() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="session")
def stack(sam_template: dict[str, Any]) -> Stack:
    """The template packaged and transformed offline, as `sam deploy` submits it."""
    with pytest.MonkeyPatch.context() as patch:
        # The translator asks boto3 for a region; no credentials or network are used.
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        return Stack(translate(package(sam_template)))


@pytest.fixture(scope="session", params=RUNTIMES)
def deployed(request: pytest.FixtureRequest, stack: Stack) -> RuntimeStack:
    """The stack as CloudFormation creates it with each value of the Runtime parameter."""
    return RuntimeStack.of(stack, request.param)
