"""The spec as the Lambda bundle carries it: openapi.json beside openapi.yaml, written by
deploy/bundle.py. Parsing JSON takes a fraction of what YAML does at every cold start; the
file names the digest of the YAML it was made from, so a stale one is never served."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from api.paths import SPEC_PATH

SPEC_JSON_PATH = SPEC_PATH.with_suffix(".json")


def _digest(yaml_path: Path) -> str:
    return hashlib.sha256(yaml_path.read_bytes()).hexdigest()


def write_spec_json(yaml_path: Path = SPEC_PATH, json_path: Path = SPEC_JSON_PATH) -> None:
    """Write the spec at `yaml_path` as JSON to `json_path`, with the YAML's digest."""
    from api.spec import load_spec

    document = {"source_sha256": _digest(yaml_path), "spec": load_spec(yaml_path)}
    json_path.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")


def lambda_spec(yaml_path: Path = SPEC_PATH, json_path: Path = SPEC_JSON_PATH) -> dict[str, Any]:
    """The spec from `json_path` when it was made from the YAML at `yaml_path` as it is now,
    else from the YAML."""
    try:
        document = json.loads(json_path.read_bytes())
    except FileNotFoundError:
        document = None
    if document is not None and document.get("source_sha256") == _digest(yaml_path):
        spec: dict[str, Any] = document["spec"]
        return spec
    from api.spec import load_spec

    return load_spec(yaml_path)


if __name__ == "__main__":
    # `python -m api.functions.lambda_spec ROOT`: how deploy/bundle.py writes it in a bundle.
    root = Path(sys.argv[1])
    write_spec_json(root / SPEC_PATH.name, root / SPEC_JSON_PATH.name)
