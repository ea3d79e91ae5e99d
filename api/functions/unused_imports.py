"""What `import connexion` loads that the Lambda functions never run, left unloaded.

Connexion 3.3 imports at module level, for features this API does not use on Lambda:
starlette's test client with httpx (`AbstractApp.test_client`), httpx again (token-info
URLs of OAuth2 schemes), requests (remote `$ref`s), jinja2 (specs read from a file as a
template), PyYAML (specs and `$ref`s read from files, the served spec) and werkzeug's
package, whose init loads its server, test client and wrappers (for an annotation;
`connexion.context` needs only `werkzeug.local`). Measured: about 60 ms
of a cold start and 8 MiB of RSS, and a tenth of the cold start's instructions.

On Lambda only (AWS_LAMBDA_FUNCTION_NAME is set), and only for a name that nothing has
imported yet, `install()` puts a stand-in module in `sys.modules` before Connexion is
imported. Each stand-in holds exactly the names Connexion imports from it
(tests/functions/test_unused_imports.py reads Connexion's source and fails when that list
changes), and every one of them raises `NotLoadedOnLambda` when used, so a code path that
starts to need one fails loudly instead of quietly running without it.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import types
from collections.abc import Mapping
from typing import Any, NoReturn

LAMBDA_MARKER = "AWS_LAMBDA_FUNCTION_NAME"  # set by the Lambda runtime in every environment

# module -> the names Connexion (or what it imports) takes from it at import time.
STAND_INS: Mapping[str, tuple[str, ...]] = {
    "starlette.testclient": ("TestClient",),
    "httpx": (),
    "requests": (),
    # starlette.templating, which Connexion's docs middleware imports, reads this one.
    "jinja2": ("pass_context",),
    "werkzeug": ("Request",),
    # connexion.json_schema subclasses SafeLoader (for file and remote `$ref`s); the spec
    # reaches Connexion as a dict, read from JSON (api/functions/lambda_spec.py).
    "yaml": ("SafeLoader",),
}
# A stand-in package whose real submodules still import: `werkzeug.local` and what it needs.
PACKAGES = ("werkzeug",)


class NotLoadedOnLambda(RuntimeError):
    """A module that api/functions/unused_imports.py left unloaded on Lambda was used."""


def _refuse(module: str, name: str) -> NoReturn:
    raise NotLoadedOnLambda(
        f"{module}.{name} is not loaded on Lambda (api/functions/unused_imports.py); "
        "a code path now needs it: remove it from STAND_INS"
    )


class _StandIn(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or (
            # A real submodule of a stand-in package: the import system imports it.
            hasattr(self, "__path__")
            and importlib.util.find_spec(f"{self.__name__}.{name}") is not None
        ):
            raise AttributeError(name)
        _refuse(self.__name__, name)


def _placeholder(module: str, name: str) -> type:
    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        _refuse(module, name)

    return type(name, (), {"__new__": refuse, "__module__": module})


def stand_in(module: str) -> types.ModuleType:
    """The stand-in of `module`: its imported names refuse to be used, and so does any other."""
    stub = _StandIn(module, f"Not loaded on Lambda: see {__name__}")
    stub.__dict__["__stand_in__"] = True
    for name in STAND_INS[module]:
        setattr(stub, name, _placeholder(module, name))
    if module in PACKAGES:
        spec = importlib.util.find_spec(module)
        if spec is None or spec.submodule_search_locations is None:
            raise ModuleNotFoundError(module)
        stub.__path__ = list(spec.submodule_search_locations)
    return stub


def install(environ: Mapping[str, str] = os.environ) -> list[str]:
    """Put the stand-ins in `sys.modules` on Lambda, for the names not imported yet; the
    names replaced."""
    if not environ.get(LAMBDA_MARKER):
        return []
    installed = []
    for module in STAND_INS:
        if module not in sys.modules:
            sys.modules[module] = stand_in(module)
            installed.append(module)
    return installed


def is_stand_in(module: object) -> bool:
    return isinstance(module, _StandIn)
