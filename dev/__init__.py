"""Local development: the embedded AWS emulator and the local server (not shipped to Lambda)."""

import warnings

# Connexion 3.3 imports starlette.testclient, which warns of its httpx at every start of
# `make run`; nothing here uses it (pyproject.toml ignores it in the tests alike).
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
