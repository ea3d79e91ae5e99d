from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from api.settings import Settings
from tests.contract.gateway import gateway_session
from tests.contract.targets import lambda_functions
from tests.identity import bearer
from tests.typescript import typescript_functions


@pytest.fixture
def python(settings: Settings) -> requests.Session:
    """The Python functions behind the emulated API Gateway, as an administrator calls them."""
    session = gateway_session(lambda_functions(settings))
    session.headers.update(bearer())
    return session


@pytest.fixture
def node(settings: Settings) -> Iterator[requests.Session]:
    """The TypeScript functions behind the emulated API Gateway, on the same tables, bucket
    and cursor key as `python`."""
    with typescript_functions(settings) as functions:
        session = gateway_session(functions)
        session.headers.update(bearer())
        yield session


@pytest.fixture(params=["python-then-node", "node-then-python"])
def runtimes(request: pytest.FixtureRequest) -> tuple[requests.Session, requests.Session]:
    """The runtime that writes first, and the other, which reads, changes and replays."""
    first, second = request.getfixturevalue("python"), request.getfixturevalue("node")
    return (first, second) if request.param == "python-then-node" else (second, first)
