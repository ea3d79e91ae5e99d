"""`python -m contract URL`: the contract suite of tests/contract against a running API.

The same Schemathesis tests that `make test` runs through the ASGI app and the Lambda
functions (every operation with all default checks, then the stateful walk of the links),
sent over HTTP to URL: `make run`'s server, or a deployed stack's `ApiUrl`. The spec is the
repository's openapi.yaml, so the deployment needs to serve none. Extra arguments go to pytest.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
SUITE = ("tests/contract/test_fuzz.py", "tests/contract/test_stateful.py")


def parse(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(
        prog="python -m contract",
        description="Run the contract suite (Schemathesis) against a running API.",
        epilog="Arguments it does not know are passed to pytest, e.g. -x or -k users.",
    )
    parser.add_argument("url", help="base URL of the API, e.g. http://127.0.0.1:8000")
    parser.add_argument(
        "--max-examples",
        type=int,
        metavar="N",
        help="generated examples per operation, and stateful scenarios (schemathesis.toml's)",
    )
    return parser.parse_known_args(argv)


def main(argv: list[str] | None = None) -> int:
    args, pytest_args = parse(argv)
    url = args.url.rstrip("/")
    if urlsplit(url).scheme not in {"http", "https"}:
        print(f"not an http(s) URL: {args.url}", file=sys.stderr)
        return 2
    try:
        httpx.get(f"{url}/health", timeout=10).raise_for_status()
    except httpx.HTTPError as exc:
        print(f"{url}/health does not answer 2xx ({exc}); is the API running?", file=sys.stderr)
        return 2
    env = {**os.environ, "CONTRACT_URL": url}
    if args.max_examples is not None:
        env["CONTRACT_MAX_EXAMPLES"] = str(args.max_examples)
    command = [sys.executable, "-m", "pytest", *SUITE, "-p", "no:cacheprovider", *pytest_args]
    return subprocess.call(command, cwd=ROOT, env=env)  # noqa: S603 - our interpreter


if __name__ == "__main__":
    sys.exit(main())
