"""The spec as the bundle carries it: JSON, and never stale."""

from __future__ import annotations

import json
import shutil

from api.functions.lambda_spec import lambda_spec, write_spec_json
from api.paths import SPEC_PATH
from api.spec import load_spec


def test_the_json_spec_is_the_yaml_spec(tmp_path):
    yaml_path, json_path = tmp_path / "openapi.yaml", tmp_path / "openapi.json"
    shutil.copy(SPEC_PATH, yaml_path)

    write_spec_json(yaml_path, json_path)

    assert json.loads(json_path.read_bytes())["spec"] == load_spec()
    assert lambda_spec(yaml_path, json_path) == load_spec()


def test_a_json_spec_made_from_another_yaml_is_not_read(tmp_path):
    yaml_path, json_path = tmp_path / "openapi.yaml", tmp_path / "openapi.json"
    shutil.copy(SPEC_PATH, yaml_path)
    write_spec_json(yaml_path, json_path)
    stale = json.loads(json_path.read_bytes())
    stale["spec"]["info"]["title"] = "stale"
    json_path.write_text(json.dumps(stale), encoding="utf-8")
    assert lambda_spec(yaml_path, json_path)["info"]["title"] == "stale"

    yaml_path.write_bytes(yaml_path.read_bytes() + b"\n# changed\n")

    assert lambda_spec(yaml_path, json_path) == load_spec()


def test_without_a_json_spec_the_yaml_is_read(tmp_path):
    yaml_path = tmp_path / "openapi.yaml"
    shutil.copy(SPEC_PATH, yaml_path)

    assert lambda_spec(yaml_path, tmp_path / "openapi.json") == load_spec()


def test_the_bundle_carries_the_spec_as_json_beside_the_yaml(tmp_path):
    from deploy.bundle import copy_sources
    from deploy.bundle import write_spec_json as bundle_spec_json
    from tests.functions.bundle_python import bundle_path

    copy_sources(SPEC_PATH.parent, tmp_path)
    (tmp_path / "yaml").symlink_to(bundle_path() / "yaml")  # as the bundle's dependencies hold

    bundle_spec_json(tmp_path)

    assert lambda_spec(tmp_path / "openapi.yaml", tmp_path / "openapi.json") == load_spec()
    assert json.loads((tmp_path / "openapi.json").read_bytes())["spec"] == load_spec()
