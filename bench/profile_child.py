"""Profiles taken in a process of their own, for `python -m bench.profile`.

`python -m bench.profile_child cold ENTRY OUT` imports the module of the Lambda entry point
ENTRY (module.attribute) and profiles its handler's first call (event on stdin) with
cProfile, split into the init (the import, which builds the app) and the first request,
writing OUT.build.pstats and OUT.request.pstats.

`python -m bench.profile_child warm OUT N` profiles N warm requests of the users function
on zero-latency fakes (OUT.warm.pstats) and times a ladder of stripped-down stacks, so that
each layer's cost per request can be read as a difference.
"""

from __future__ import annotations

import asyncio
import cProfile
import dataclasses
import importlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.child import report
from tests.identity import ADMIN_CALLER


def profile_cold(entry: str, out: str) -> None:
    from tests.events import FakeLambdaContext

    module_name, _, attribute = entry.rpartition(".")
    build, request = cProfile.Profile(), cProfile.Profile()
    build.enable()
    handler: Any = getattr(importlib.import_module(module_name), attribute)
    build.disable()
    event = json.loads(sys.stdin.read())
    request.enable()
    response = handler(event, FakeLambdaContext())
    request.disable()
    build.dump_stats(f"{out}.build.pstats")
    request.dump_stats(f"{out}.request.pstats")
    report({"status": response["statusCode"]})


def _median_us(call: Callable[[], Any], n: int) -> float:
    for _ in range(min(n, 100)):
        call()
    durations = []
    for _ in range(n):
        started = time.perf_counter_ns()
        call()
        durations.append(time.perf_counter_ns() - started)
    return round(statistics.median(durations) / 1000, 1)


def ladder(n: int) -> dict[str, float]:
    """Median µs per request of ever fuller stacks serving GET /users/{id}."""
    from mangum import Mangum
    from starlette.concurrency import run_in_threadpool

    from api.functions.builders import users_function
    from api.settings import Settings
    from api.users.service import UserService
    from api.web.observability import configure_logging
    from bench.handlers import app_with_fakes
    from bench.workload import Client, bench_event, body_of
    from dev.fakes import InMemoryUserRepository
    from tests.events import FakeLambdaContext

    context: Any = FakeLambdaContext()
    adapter: Any = Mangum  # typed for real Lambda contexts and ASGI apps

    async def bare(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def threaded(scope: Any, receive: Any, send: Any) -> None:
        await run_in_threadpool(lambda: None)
        await bare(scope, receive, send)

    handler, _ = app_with_fakes("users")
    client = Client(handler)
    user = body_of(client.send("POST", "/users", body={"email": "a@b.co", "name": "A"})[1])
    event = bench_event(path=f"/users/{user['userId']}")
    users = UserService(InMemoryUserRepository())
    user_id = users.create(ADMIN_CALLER, "q@b.co", "Q").user_id
    loop = asyncio.new_event_loop()

    async def noop() -> None:
        return None

    rungs: dict[str, float] = {}
    rungs["asyncio: run one coroutine to completion"] = _median_us(
        lambda: loop.run_until_complete(noop()), n
    )
    bare_handler = adapter(bare, lifespan="off")
    rungs["Mangum + a bare ASGI app"] = _median_us(lambda: bare_handler(event, context), n)
    threaded_handler = adapter(threaded, lifespan="off")
    rungs["Mangum + a bare ASGI app awaiting a no-op in the threadpool"] = _median_us(
        lambda: threaded_handler(event, context), n
    )
    # Building the app configures logging for the whole process: measure the quiet one first.
    quiet_settings = dataclasses.replace(Settings.from_env(), log_level="WARNING")
    quiet = users_function(quiet_settings, users=users)
    quiet_event = bench_event(path=f"/users/{user_id}")
    rungs["the users function on fakes with LOG_LEVEL=WARNING (no access log line)"] = _median_us(
        lambda: quiet(quiet_event, context), n
    )
    configure_logging(Settings.from_env().log_level)
    rungs["the users function on fakes, as deployed (LOG_LEVEL=INFO)"] = _median_us(
        lambda: handler(event, context), n
    )
    rungs["the operation alone: UserService.get on the fake, no HTTP"] = _median_us(
        lambda: users.get(ADMIN_CALLER, user_id), n
    )
    return rungs


def profile_warm(out: str, n: int) -> None:
    import threading

    from bench.handlers import app_with_fakes
    from bench.workload import Client, body_of

    handler, _ = app_with_fakes("users")
    client = Client(handler)
    user = body_of(client.send("POST", "/users", body={"email": "w@b.co", "name": "W"})[1])
    for _ in range(100):
        client.send("GET", f"/users/{user['userId']}")
    threads_before = threading.active_count()
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(n):
        client.send("GET", f"/users/{user['userId']}")
        client.send("PATCH", f"/users/{user['userId']}", body={"name": f"W{i}"})
    profiler.disable()
    profiler.dump_stats(f"{out}.warm.pstats")
    report({"ladder_us": ladder(n), "threads": [threads_before, threading.active_count()]})


def main() -> None:
    mode = sys.argv[1]
    if mode == "cold":
        profile_cold(sys.argv[2], sys.argv[3])
    else:
        profile_warm(sys.argv[2], int(sys.argv[3]))


if __name__ == "__main__":
    main()
