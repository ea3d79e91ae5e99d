from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from api.functions.builders import local_app
from api.settings import Settings


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(local_app(settings)) as client:
        yield client
