from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from api.functions.builders import local_app
from api.settings import Settings
from tests.identity import bearer, verify


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(local_app(settings, authenticate=verify), headers=bearer()) as client:
        yield client
