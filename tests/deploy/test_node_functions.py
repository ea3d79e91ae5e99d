"""The Runtime parameter: the TypeScript functions of ts/ deployed in place of the Python
ones, on Node.js 24, with everything else of the Python functions."""

from __future__ import annotations

import os
import subprocess

import pytest

from api.paths import ROOT
from api.resources import FUNCTIONS
from tests.deploy.stack import RuntimeStack

NODE_RUNTIME = "nodejs24.x"
# What the TypeScript twin of a function sets differently; everything else is the same.
OWN_PROPERTIES = {"Description", "Handler", "Runtime", "SnapStart"}


def test_the_runtime_parameter_is_python_unless_nodejs_is_chosen(sam_template):
    parameter = sam_template["Parameters"]["Runtime"]
    assert parameter["Default"] == "python"
    assert parameter["AllowedValues"] == ["python", "nodejs"]


def test_each_runtime_deploys_its_own_functions_and_no_others(deployed):
    functions = set(deployed.stack.of_type("AWS::Lambda::Function"))
    assert functions == {deployed.function_id(f.logical_id) for f in FUNCTIONS.values()}


@pytest.mark.parametrize("function", FUNCTIONS.values(), ids=lambda f: f.node_logical_id)
def test_each_typescript_function_runs_its_bundle_on_node_24_and_is_otherwise_its_twin(
    sam_template, function
):
    python = sam_template["Resources"][function.logical_id]
    node = sam_template["Resources"][function.node_logical_id]

    assert (python["Condition"], node["Condition"]) == ("UsesPython", "UsesNode")
    assert node["Metadata"] == python["Metadata"] == {"BuildMethod": "makefile"}
    properties = node["Properties"]
    assert properties["Runtime"] == NODE_RUNTIME
    assert properties["Handler"] == function.node_handler
    # Lambda has no SnapStart for Node.js: the Globals' is taken away.
    assert properties["SnapStart"] == {"Ref": "AWS::NoValue"}
    shared = {k: v for k, v in properties.items() if k not in OWN_PROPERTIES}
    assert shared == {k: v for k, v in python["Properties"].items() if k not in OWN_PROPERTIES}


def test_the_typescript_functions_are_deployed_gradually_behind_their_alias(stack):
    deployed = RuntimeStack.of(stack, "nodejs").stack
    for function in FUNCTIONS.values():
        alias = deployed.alias_of(function.node_logical_id)
        update = deployed.resources[alias]["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
        assert update["DeploymentGroupName"] == {
            "Ref": f"{function.node_logical_id}DeploymentGroup"
        }


@pytest.mark.parametrize("function", FUNCTIONS.values(), ids=lambda f: f.node_logical_id)
def test_sam_builds_each_typescript_function_with_make_from_its_bundle_only(function, tmp_path):
    # As a user's shell runs make, not with the MAKELEVEL of a `make test` around the tests.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    dry_run = subprocess.run(
        ["make", "-n", f"build-{function.node_logical_id}", f"ARTIFACTS_DIR={tmp_path}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert "npm run --prefix ts --silent build" in dry_run
    assert f"cp ts/dist/{function.node_bundle} ts/dist/package.json" in dry_run
    others = [f.node_bundle for f in FUNCTIONS.values() if f is not function]
    assert not any(other in dry_run for other in others)
