from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.resources import FUNCTIONS
from api.settings import Settings
from dev.node_functions import NodeFunction
from tests.typescript import typescript_functions

STUB = Path(__file__).with_name("stub_handler.js")


@pytest.fixture
def stub_functions(settings: Settings) -> Iterator[dict[str, NodeFunction]]:
    """Every function, by logical id, run by the Node runner from the stub handler."""
    with typescript_functions(settings, dict.fromkeys(FUNCTIONS, STUB)) as functions:
        yield functions
