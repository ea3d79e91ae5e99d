"""Where the project's files are, with no dependency: `sam build` runs deploy/bundle.py with
whatever python3 it finds, before anything is installed."""

from __future__ import annotations

from pathlib import Path

# The project's root, where openapi.yaml lies beside api/: the repository, or the Lambda
# bundle's root. Every tool of the repository finds its files from here.
ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "openapi.yaml"
