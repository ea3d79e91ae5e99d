"""`python -m contract.client [DIR]`: the Python client generated from openapi.yaml.

openapi-python-client writes an installable project (default: clients/python, not
committed) holding the package `users_and_assets_api_client`, then formats it with ruff.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
CONFIG = Path(__file__).with_name("client-config.yaml")
DEFAULT_OUTPUT = ROOT / "clients" / "python"
PACKAGE = "users_and_assets_api_client"


def generate(output: Path = DEFAULT_OUTPUT) -> Path:
    """Generate the client project into `output`, replacing what is there; its path."""
    # The generator formats its output with ruff, which it looks for on PATH.
    scripts = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [
        sys.executable,
        "-m",
        "openapi_python_client",
        "generate",
        f"--path={SPEC}",
        f"--config={CONFIG}",
        f"--output-path={output}",
        "--overwrite",
        "--fail-on-warning",
    ]
    subprocess.run(command, check=True, env=env, capture_output=True, text=True)  # noqa: S603
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m contract.client",
        description="Generate the Python client of openapi.yaml with openapi-python-client.",
    )
    parser.add_argument(
        "output",
        nargs="?",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="the project directory to write (default: clients/python)",
    )
    args = parser.parse_args(argv)
    try:
        output = generate(args.output)
    except subprocess.CalledProcessError as exc:
        print(exc.stdout, exc.stderr, sep="\n", file=sys.stderr)
        return 1
    print(f"Generated {output / PACKAGE} from {SPEC.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
