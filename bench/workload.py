"""The requests of the benchmark: real-shaped HTTP API v2 events sent to a Lambda handler.

Each operation is sent `warmup + n` times and the last `n` are timed, one call at a
time, around the handler call only (the event is built before the clock starts).
"""

from __future__ import annotations

import base64
import json
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.events import FakeLambdaContext, make_http_event

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
# Stores a file of `size` bytes under `key`, as a client's presigned upload would.
Upload = Callable[[str, int, str], None]


def bench_event(**fields: Any) -> dict[str, Any]:
    """An API Gateway event as tests/events.py makes it, with the caller's claims and a token
    that is none: the benchmark's bundle has no JWT library to sign one with, and the
    functions never verify it."""
    return make_http_event(signed=False, **fields)


USER_OPERATIONS = ("create_user", "get_user", "list_users", "update_user", "delete_user")
ASSET_OPERATIONS = ("create_asset", "get_asset", "download_asset")
# Users in the table while listing: more than a page of 20.
LISTED_USERS = 25
# Users created, read, changed and deleted at a time.
BATCH = 25
FILE = {"fileName": "report.txt", "contentType": "text/plain", "size": 1024}


def body_of(response: dict[str, Any]) -> Any:
    raw = response.get("body") or ""
    if response.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    return json.loads(raw) if raw else None


class Client:
    """Sends events to one handler and times each call."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._context = FakeLambdaContext()
        self._sent = 0

    def send(
        self, method: str, path: str, *, query: str = "", body: Any = None, strict: bool = True
    ) -> tuple[int, dict[str, Any]]:
        """The handler's duration in nanoseconds and its response, which must be a 2xx
        if `strict`."""
        self._sent += 1
        event = bench_event(
            method=method, path=path, query=query, body=body, request_id=f"bench-{self._sent}"
        )
        started = time.perf_counter_ns()
        response = self._handler(event, self._context)
        elapsed = time.perf_counter_ns() - started
        if strict and not 200 <= response["statusCode"] < 300:
            raise RuntimeError(f"{method} {path} answered {_described(response)}")
        return elapsed, response


def _described(response: dict[str, Any]) -> str:
    try:
        return f"{response['statusCode']}: {body_of(response)}"
    except ValueError:
        return str(response)


Request = Callable[[int], tuple[str, str, str, Any]]


@dataclass
class Measurements:
    """Durations of the timed requests of each operation, and the answers that were not
    2xx (timed too: a client waits for them as well), by status."""

    durations: dict[str, list[int]] = field(default_factory=dict)
    errors: dict[str, dict[str, int]] = field(default_factory=dict)

    def time(
        self, operation: str, client: Client, count: int, warmup: int, request: Request
    ) -> list[dict[str, Any]]:
        """Send `warmup + count` requests, time the last `count`; the 2xx responses."""
        durations = self.durations.setdefault(operation, [])
        errors = self.errors.setdefault(operation, {})
        successes = []
        for i in range(warmup + count):
            method, path, query, body = request(i)
            elapsed, response = client.send(method, path, query=query, body=body, strict=False)
            if i >= warmup:
                durations.append(elapsed)
            if 200 <= response["statusCode"] < 300:
                successes.append(response)
            else:
                status = str(response["statusCode"])
                errors[status] = errors.get(status, 0) + 1
                if len(errors) == 1 and errors[status] == 1:
                    sys.stderr.write(f"[bench] {method} {path}: {_described(response)}\n")
        return successes


def run_users(handler: Handler, n: int, warmup: int) -> Measurements:
    """Create, get, list, update and delete users: n timed requests of each."""
    client, tag, total = Client(handler), uuid.uuid4().hex[:8], n + warmup
    measured = Measurements()

    def create(start: int) -> Request:
        def request(i: int) -> tuple[str, str, str, Any]:
            body = {"email": f"bench-{tag}-{start + i}@example.com", "name": f"U {i}"}
            return "POST", "/users", "", body

        return request

    # Listing runs over a table of a fixed size (the emulator's Query slows down as the
    # table grows), so the figure does not depend on how many users the run has created.
    listed = []
    for i in range(LISTED_USERS):
        body = {"email": f"listed-{tag}-{i}@example.com", "name": f"L {i}"}
        listed.append(body_of(client.send("POST", "/users", body=body)[1])["userId"])
    measured.time("list_users", client, n, warmup, lambda i: ("GET", "/users", "limit=20", None))
    for user_id in listed:
        client.send("DELETE", f"/users/{user_id}")

    # The users' lives run in batches: the emulator copies a whole table for each write of
    # a transaction, so its writes would slow down as the table grew.
    for start in range(0, total, BATCH):
        size = min(BATCH, total - start)
        untimed = min(size, max(0, warmup - start))
        created = measured.time("create_user", client, size - untimed, untimed, create(start))
        ids = [body_of(response)["userId"] for response in created]
        if not ids:
            continue
        measured.time("get_user", client, size - untimed, untimed, _on_user("GET", ids))
        measured.time("update_user", client, size - untimed, untimed, _on_user("PATCH", ids))
        untimed = min(untimed, len(ids))
        measured.time("delete_user", client, len(ids) - untimed, untimed, _on_user("DELETE", ids))
    return measured


def _on_user(method: str, ids: list[str]) -> Request:
    body = {"name": "Renamed"} if method == "PATCH" else None
    return lambda i: (method, f"/users/{ids[i % len(ids)]}", "", body)


def uploaded_asset(client: Client, upload: Upload) -> str:
    """The id of a new asset whose file has been uploaded and confirmed."""
    _, created = client.send("POST", "/assets", body=FILE)
    asset = body_of(created)
    upload(asset["upload"]["fields"]["key"], FILE["size"], FILE["contentType"])  # type: ignore[arg-type]
    _, confirmed = client.send("GET", f"/assets/{asset['assetId']}")
    if body_of(confirmed)["status"] != "uploaded":
        raise RuntimeError(f"the benchmark's asset was not confirmed: {confirmed}")
    return str(asset["assetId"])


def run_assets(handler: Handler, upload: Upload, n: int, warmup: int) -> Measurements:
    """Create assets, get and download an uploaded one: n timed requests of each."""
    client = Client(handler)
    asset_id = uploaded_asset(client, upload)
    measured = Measurements()
    measured.time("create_asset", client, n, warmup, lambda i: ("POST", "/assets", "", FILE))
    measured.time(
        "get_asset", client, n, warmup, lambda i: ("GET", f"/assets/{asset_id}", "", None)
    )
    measured.time(
        "download_asset",
        client,
        n,
        warmup,
        lambda i: ("GET", f"/assets/{asset_id}/download", "", None),
    )
    return measured
