from __future__ import annotations

import pytest

from tests.contract.targets import Target, target_names


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "target" in metafunc.fixturenames:
        metafunc.parametrize("target", target_names(), indirect=True)


@pytest.fixture
def target(request: pytest.FixtureRequest) -> Target:
    """The API under test; fresh tables and bucket for each local test."""
    name: str = request.param
    settings = None if name == "live" else request.getfixturevalue("settings")
    return Target.build(name, settings)
