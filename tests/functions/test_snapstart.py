"""After a SnapStart restore: fresh random state and AWS clients, registered at init."""

from __future__ import annotations

import random
import sys
import types
from unittest.mock import Mock

from api.functions.runtime import lambda_handler
from api.functions.snapstart import HOOKS_MODULE, refresh_after_restore, register_restore_hooks


def hooks_module(monkeypatch) -> list[object]:
    registered: list[object] = []
    module = types.ModuleType(HOOKS_MODULE)
    module.register_after_restore = registered.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, HOOKS_MODULE, module)
    return registered


def test_without_the_runtimes_hooks_library_nothing_is_registered(monkeypatch):
    monkeypatch.setitem(sys.modules, HOOKS_MODULE, None)  # import raises ImportError

    assert register_restore_hooks(Mock()) is None


def test_the_init_registers_one_hook_that_reopens_the_functions_clients(monkeypatch):
    registered = hooks_module(monkeypatch)
    clients = Mock()

    lambda_handler(Mock(), clients=clients)
    (hook,) = registered
    assert callable(hook)
    clients.reopen.assert_not_called()
    hook()

    clients.reopen.assert_called_once_with()


def test_a_restored_environment_draws_other_random_numbers_than_its_snapshot():
    random.seed(1234)  # the state every environment restored from one snapshot would share
    snapshot_draws = [random.random() for _ in range(3)]
    random.seed(1234)

    refresh_after_restore(None)

    assert [random.random() for _ in range(3)] != snapshot_draws
