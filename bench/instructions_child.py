"""`python -m bench.instructions_child IMPLEMENTATION GROUP OPERATION N`, under Valgrind: one
implementation on zero-latency fakes, warmed up on OPERATION, then N more of it. Two runs, with
N = 0 and N = n, differ by the instructions of n requests (bench/instructions.py)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from bench.child import report
from bench.workload import FILE, Client, body_of, uploaded_asset

WARMUP = 20
Request = Callable[[int], tuple[str, str, Any]]


def requests_of(operation: str, client: Client, upload: Any) -> Request:
    """The requests of `operation`, numbered, on what they need created first."""
    if operation == "create_user":
        return lambda i: ("POST", "/users", {"email": f"i-{i}@example.com", "name": "I"})
    if operation == "get_user":
        body = {"email": "get@example.com", "name": "G"}
        user_id = body_of(client.send("POST", "/users", body=body)[1])["userId"]
        return lambda i: ("GET", f"/users/{user_id}", None)
    if operation == "create_asset":
        return lambda i: ("POST", "/assets", FILE)
    if operation == "get_asset":
        asset_id = uploaded_asset(client, upload)
        return lambda i: ("GET", f"/assets/{asset_id}", None)
    raise ValueError(operation)


def main() -> None:
    from bench.handlers import handler_for

    implementation, group, operation, n = sys.argv[1:5]
    handler, upload = handler_for(implementation, group, "fakes")
    client = Client(handler)
    request = requests_of(operation, client, upload)
    for i in range(WARMUP + int(n)):
        method, path, body = request(i)
        client.send(method, path, body=body)
    report({"requests": int(n)})


if __name__ == "__main__":
    main()
