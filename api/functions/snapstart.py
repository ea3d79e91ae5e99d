"""What an environment restored from a SnapStart snapshot (Python 3.12 and later, see the
template's PythonVersion) must not share with the others restored from the same snapshot:
the random generator's state, the AWS credentials and clients, and their open connections.
The hooks run once per restore, before the first request of the restored environment."""

from __future__ import annotations

import random
from collections.abc import Callable
from importlib import import_module
from typing import Any

from api.functions.clients import Clients

# The runtime hooks library of Lambda's Python runtimes (3.12 and later); absent on 3.11.
HOOKS_MODULE = "snapshot_restore_py"


def refresh_after_restore(clients: Clients | None) -> None:
    """Reseed the random generator from the OS and build the AWS clients anew (new
    credentials, new connection pools). uuid and secrets read the OS's entropy each call."""
    random.seed()
    if clients is not None:
        clients.reopen()


def register_restore_hooks(clients: Clients | None) -> Callable[[], None] | None:
    """Register `refresh_after_restore` with the runtime's after-restore hooks, where the
    runtime has them; the hook registered, or None."""
    try:
        hooks: Any = import_module(HOOKS_MODULE)
    except ImportError:
        return None

    def after_restore() -> None:
        refresh_after_restore(clients)

    hooks.register_after_restore(after_restore)
    return after_restore
