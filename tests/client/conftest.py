from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest

from contract.client import PACKAGE, generate
from tests.local_server import LocalServer, local_server


@pytest.fixture(scope="session")
def client_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client openapi-python-client generates from openapi.yaml as it is now, imported."""
    project = generate(tmp_path_factory.mktemp("client") / "python")
    sys.path.insert(0, str(project))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(project))
        for name in [name for name in sys.modules if name.partition(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with local_server() as running:
        yield running


@pytest.fixture
def client(client_package: ModuleType, server: LocalServer) -> Iterator[object]:
    """The generated client with an administrator's token, as `make token ADMIN=1` prints."""
    with client_package.AuthenticatedClient(
        base_url=server.url, token=server.token(), raise_on_unexpected_status=True
    ) as client:
        yield client


@pytest.fixture
def anonymous(client_package: ModuleType, server: LocalServer) -> Iterator[object]:
    with client_package.Client(base_url=server.url, raise_on_unexpected_status=True) as client:
        yield client
