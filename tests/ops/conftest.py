"""The template fixtures of tests/deploy, for the tests that run what it deploys."""

from __future__ import annotations

from tests.deploy.conftest import openapi, sam_template, stack

__all__ = ["openapi", "sam_template", "stack"]
