"""The TypeScript functions for the tests: in Node processes (dev/node_functions.py), from
the bundle `make ts` builds; the tests that need them skip only where Node.js is absent (or
npm, without which the bundle cannot be built), and fail where the bundle was not built."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from api.resources import FUNCTIONS
from api.settings import Settings
from dev.node_functions import NodeFunction, bundle_path, node_executable, node_functions

NO_NODE = "Node.js is not installed (no `node` on the PATH): the TypeScript runtime is untested"
NO_NPM = "npm is not installed: the TypeScript bundle (make ts) cannot be built, so it is untested"


def require_node() -> None:
    """Skip the test where there is no Node.js."""
    if node_executable() is None:
        pytest.skip(NO_NODE)


def require_bundle() -> None:
    """Skip the test where there is no Node.js or npm; fail it where `make ts` was not run."""
    require_node()
    missing = [str(bundle_path(f)) for f in FUNCTIONS.values() if not bundle_path(f).is_file()]
    if missing and shutil.which("npm") is None:
        pytest.skip(NO_NPM)
    if missing:
        pytest.fail(f"the TypeScript bundle is not built ({', '.join(missing)}): run make ts")


@contextmanager
def typescript_functions(
    settings: Settings, bundles: Mapping[str, Path] | None = None
) -> Iterator[dict[str, NodeFunction]]:
    """Every function of the bundle (or of `bundles`), by logical id, running on `settings`
    while the block runs."""
    if bundles is None:
        require_bundle()
    else:
        require_node()
    functions = node_functions(settings, bundles)
    try:
        for function in functions.values():
            function.start()
        yield functions
    finally:
        for function in functions.values():
            function.stop()
