"""`python -m contract URL`: the contract suite against the API at URL.

Every operation of the spec with all of Schemathesis' default checks, then the stateful walk
of its links, sent over HTTP to URL: `make run`'s server, a deployed stack's `ApiUrl`, or any
other implementation. It needs only this folder and the spec (by default openapi.yaml beside
this folder; `--spec` names another), so it runs from anywhere. Extra arguments go to pytest.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx

HERE = Path(__file__).resolve().parent
DEFAULT_SPEC = HERE.parent / "openapi.yaml"
SUITE = HERE / "live"


def parse(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(
        prog="python -m contract",
        description="Run the contract suite (Schemathesis) against a running API.",
        epilog="Arguments it does not know are passed to pytest, e.g. -x or -k users.",
    )
    parser.add_argument("url", help="base URL of the API, e.g. http://127.0.0.1:8000")
    parser.add_argument(
        "--spec",
        type=Path,
        default=DEFAULT_SPEC,
        help="the OpenAPI document the API must keep (default: openapi.yaml beside contract/)",
    )
    parser.add_argument(
        "--token",
        default=os.environ.get("CONTRACT_TOKEN"),
        help="the bearer token every request carries (default: CONTRACT_TOKEN); an"
        " administrator's, so that every operation can succeed",
    )
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
    if not args.spec.is_file():
        print(f"no spec at {args.spec}; name one with --spec", file=sys.stderr)
        return 2
    try:
        httpx.get(f"{url}/health", timeout=10).raise_for_status()
    except httpx.HTTPError as exc:
        print(f"{url}/health does not answer 2xx ({exc}); is the API running?", file=sys.stderr)
        return 2
    path = os.pathsep.join(filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")]))
    env = {
        **os.environ,
        "CONTRACT_URL": url,
        "CONTRACT_SPEC": str(args.spec.resolve()),
        "PYTHONPATH": path,
    }
    if args.max_examples is not None:
        env["CONTRACT_MAX_EXAMPLES"] = str(args.max_examples)
    if args.token:
        env["CONTRACT_TOKEN"] = args.token
    else:
        print(
            "no --token (or CONTRACT_TOKEN): secured operations can only answer 401",
            file=sys.stderr,
        )
    command = [
        sys.executable,
        *("-m", "pytest", str(SUITE)),
        *("--rootdir", str(HERE), "-c", os.devnull),
        *("-p", "no:cacheprovider", "-p", "no:randomly"),
        *pytest_args,
    ]
    return subprocess.call(command, cwd=HERE.parent, env=env)  # noqa: S603 - our interpreter


if __name__ == "__main__":
    sys.exit(main())
