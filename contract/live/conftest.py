from __future__ import annotations

import pytest

from contract.live import live_target
from contract.suite import Target


@pytest.fixture(scope="session")
def target() -> Target:
    """The API at CONTRACT_URL."""
    return live_target()
