"""Shared fixtures: one embedded emulator per test session, fresh tables per test."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator

import pytest

from api.settings import Settings
from dev.emulator import Emulator, create_resources, use_emulator_credentials


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
    settings = dataclasses.replace(
        Settings(),
        users_table=f"Users-{suffix}",
        assets_table=f"Assets-{suffix}",
        assets_bucket=f"assets-{suffix}",
        idempotency_table=f"Idempotency-{suffix}",
        aws_endpoint_url=emulator.endpoint_url,
        log_level="WARNING",
    )
    create_resources(settings)
    return settings
