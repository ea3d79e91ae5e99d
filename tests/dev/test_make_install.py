"""The first target that needs the virtual environment creates it: what it says, where, and
what pip shows, run with a stand-in Python that records what it is asked to do."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.local_server import make_as_a_user_types_it

# Creates a venv holding itself as its python; as pip, prints a line of progress on stdout;
# as dev.token, prints a token.
STUB = """#!/bin/sh
echo "$*" >> "{calls}"
if [ "$1" = -m ] && [ "$2" = venv ]; then
    mkdir -p "$3/bin" && cp "$0" "$3/bin/python"
elif [ "$1" = -m ] && [ "$2" = pip ]; then
    echo "Downloading example-1.0-py3-none-any.whl (12 kB) 12.0/12.0 kB"
elif [ "$1" = -m ] && [ "$2" = dev.token ]; then
    echo "header.payload.signature"
fi
"""


@pytest.fixture
def stub_python(tmp_path: Path) -> tuple[Path, Path]:
    calls = tmp_path / "calls"
    python = tmp_path / "python3"
    python.write_text(STUB.format(calls=calls))
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    return python, calls


def test_the_first_make_token_installs_on_stderr_and_prints_only_the_token(tmp_path, stub_python):
    python, calls = stub_python
    venv = tmp_path / "venv"

    made = make_as_a_user_types_it("token", "SUB=ada", f"PYTHON={python}", f"VENV={venv}")

    assert made.returncode == 0, made.stderr
    assert made.stdout == "header.payload.signature\n"
    assert f"Setting up {venv}, once: the pinned dependencies of requirements-dev.txt" in (
        made.stderr
    )
    assert "Roughly 4 minutes the" in made.stderr
    assert "pip shows its progress below" in made.stderr
    assert "Downloading example-1.0-py3-none-any.whl" in made.stderr
    assert f"{venv} is ready." in made.stderr
    pip_calls = [line for line in calls.read_text().splitlines() if line.startswith("-m pip")]
    assert pip_calls == ["-m pip install --upgrade pip", "-m pip install -r requirements-dev.txt"]


def test_a_second_make_token_installs_nothing_and_says_nothing(tmp_path, stub_python):
    python, calls = stub_python
    venv = tmp_path / "venv"
    make_as_a_user_types_it("token", "SUB=ada", f"PYTHON={python}", f"VENV={venv}")

    again = make_as_a_user_types_it("token", "SUB=ada", f"PYTHON={python}", f"VENV={venv}")

    assert (again.returncode, again.stdout, again.stderr) == (0, "header.payload.signature\n", "")
    assert sum(line.startswith("-m pip") for line in calls.read_text().splitlines()) == 2
