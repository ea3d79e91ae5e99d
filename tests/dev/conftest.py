from __future__ import annotations

import functools
from collections.abc import Iterator

import pytest
import structlog

import dev.app
from api.resources import BUCKETS, TABLES
from api.settings import Settings
from dev.issuer import local_issuer
from tests.conftest import TEST_CURSOR_KEY


@pytest.fixture(autouse=True)
def logging_as_it_was() -> Iterator[None]:
    """The apps made here render the log as make run does; the next test gets it back."""
    config = structlog.get_config()
    yield
    structlog.configure(**config)


@pytest.fixture
def worker_env(settings: Settings, monkeypatch, tmp_path):
    """The environment dev/server.py hands the app's factory, on this test's tables, with an
    issuer whose key is in `tmp_path`."""
    for key, table in TABLES.items():
        monkeypatch.setenv(table.env, settings.table(key))
    for key, bucket in BUCKETS.items():
        monkeypatch.setenv(bucket.env, settings.bucket(key))
    monkeypatch.setenv("AWS_ENDPOINT_URL", str(settings.aws_endpoint_url))
    monkeypatch.setenv("CURSOR_KEY", TEST_CURSOR_KEY.decode())
    monkeypatch.setenv("PORT", "8000")
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "0")
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    monkeypatch.delenv("WEB_PORT", raising=False)
    monkeypatch.setattr(dev.app, "local_issuer", functools.partial(local_issuer, folder=tmp_path))
    return functools.partial(local_issuer, 8000, tmp_path)
