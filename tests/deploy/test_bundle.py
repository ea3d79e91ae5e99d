"""deploy/bundle.py: what `sam build` puts in the Lambda bundle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import api
from api.paths import ROOT, SPEC_PATH
from deploy.bundle import PLATFORM, PYTHON_VERSION, copy_sources, pip_install_command


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_the_bundle_holds_the_package_and_the_spec_and_nothing_else_of_the_repository(
    tmp_path,
):
    copy_sources(ROOT, tmp_path)

    assert {p.name for p in tmp_path.iterdir()} == {"api", "openapi.yaml"}
    sources = {f"api/{p.name}" for p in (ROOT / "api").glob("*.py")}
    assert sources <= files_under(tmp_path)
    assert not [f for f in files_under(tmp_path) if "__pycache__" in f or f.endswith(".pyc")]
    assert (tmp_path / "openapi.yaml").read_bytes() == (ROOT / "openapi.yaml").read_bytes()


def test_the_app_reads_the_spec_from_the_parent_of_its_package_where_the_bundle_puts_it():
    package = Path(api.__file__).resolve().parent
    assert package.parent / "openapi.yaml" == SPEC_PATH


def test_dependencies_are_the_pinned_ones_as_wheels_for_the_lambda_platform(tmp_path):
    command = pip_install_command(ROOT / "requirements.txt", tmp_path)

    assert command[1:4] == ["-m", "pip", "install"]
    assert command[command.index("--requirement") + 1] == str(ROOT / "requirements.txt")
    assert command[command.index("--target") + 1] == str(tmp_path)
    assert command[command.index("--platform") + 1] == "manylinux2014_x86_64"
    assert command[command.index("--python-version") + 1] == "3.11"
    assert "--only-binary=:all:" in command


def test_the_bundle_targets_the_runtime_and_architecture_of_the_template(stack):
    from deploy.bundle import DEFAULT_PYTHON_VERSION, SUPPORTED_PYTHON_VERSIONS
    from tests.deploy.stack import load_template

    parameter = load_template()["Parameters"]["PythonVersion"]
    assert parameter["Default"] == DEFAULT_PYTHON_VERSION == PYTHON_VERSION
    assert tuple(parameter["AllowedValues"]) == SUPPORTED_PYTHON_VERSIONS
    for function in ("UsersFunction", "AssetsFunction"):
        properties = stack.properties(function)
        assert properties["Runtime"] == {"Fn::Sub": "python${PythonVersion}"}
        (architecture,) = properties["Architectures"]
        assert PLATFORM.endswith(architecture)


def test_every_runtime_dependency_is_pinned():
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    requirements = [line.split("#")[0].strip() for line in lines]
    unpinned = [r for r in requirements if r and "==" not in r]
    assert not unpinned


def test_the_bundle_carries_bytecode_for_lambdas_python(tmp_path):
    from deploy.bundle import compile_bytecode

    copy_sources(ROOT, tmp_path)

    assert compile_bytecode(tmp_path)
    compiled = {p.name.split(".")[0] for p in (tmp_path / "api" / "__pycache__").glob("*.pyc")}
    assert compiled == {p.stem for p in (ROOT / "api").glob("*.py")}
    assert all(".cpython-311." in p.name for p in (tmp_path / "api" / "__pycache__").iterdir())


def test_the_bundle_builder_imports_with_nothing_installed():
    # `sam build` runs it with whatever python3 it finds, before any dependency is installed.
    result = subprocess.run(
        [sys.executable, "-S", "-c", "import deploy.bundle"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
