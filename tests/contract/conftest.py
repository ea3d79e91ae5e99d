from __future__ import annotations

from collections.abc import Iterator

import pytest

from contract.suite import Target
from tests.contract.targets import LOCAL_TARGETS, local_target


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "target" in metafunc.fixturenames:
        metafunc.parametrize("target", LOCAL_TARGETS, indirect=True)


@pytest.fixture
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """The API under test, in process, on fresh tables and bucket."""
    with local_target(request.param, request.getfixturevalue("settings")) as target:
        yield target
