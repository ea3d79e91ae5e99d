"""Shared fixtures: one embedded emulator per test session, fresh tables per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from api.resources import BUCKETS, TABLES
from api.settings import Settings
from dev.emulator import Emulator, create_resources, use_emulator_credentials

# The cursor key of the tests' settings: fixed, so that a test can sign a cursor itself.
TEST_CURSOR_KEY = b"tests only: the page cursors' HMAC key"


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    use_emulator_credentials()
    emulator = Emulator().start()
    yield emulator
    emulator.stop()


@pytest.fixture
def settings(emulator: Emulator) -> Settings:
    """Settings for tables of this test's own, created in the emulator."""
    suffix = uuid.uuid4().hex[:8]
    settings = Settings(
        tables={key: f"{table.local_name}-{suffix}" for key, table in TABLES.items()},
        buckets={key: f"{bucket.local_name}-{suffix}" for key, bucket in BUCKETS.items()},
        aws_endpoint_url=emulator.endpoint_url,
        log_level="WARNING",
        cursor_keys=(TEST_CURSOR_KEY,),
    )
    create_resources(settings)
    return settings
