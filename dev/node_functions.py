"""The Lambda functions of the TypeScript bundle (ts/dist/<function>-handler.js), each in a
long-lived Node process run by dev/node_runner.mjs, with the environment template.yaml gives
the function, pointed at the emulator: Lambda handlers (event, context) -> result that the
emulated API Gateway, the tests and the server call as they call the Python ones."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import threading
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import IO, Any

from samtranslator.yaml_helper import yaml_parse

from api.paths import ROOT
from api.resources import BUCKETS, FUNCTIONS, TABLES, Function
from api.settings import Settings
from deploy.api_definition import TEMPLATE_PATH
from dev.gateway import MEMORY_LIMIT_MB, FunctionError

RUNNER = Path(__file__).with_name("node_runner.mjs")
BUNDLE_FOLDER = ROOT / "ts" / "dist"
# What Lambda's execution environment sets besides the function's own variables.
LAMBDA_VARIABLES = {"TZ": ":UTC", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST"}
# Passed from this process when set: the region, and the credentials the emulator checks.
PASSED_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


class NodeMissing(RuntimeError):
    """Node.js is not on the PATH, or the TypeScript bundle has not been built."""


def node_executable() -> str | None:
    """Where `node` is on the PATH, if it is."""
    return shutil.which("node")


def bundle_path(function: Function) -> Path:
    """The TypeScript bundle of `function` that `make ts` builds."""
    return BUNDLE_FOLDER / function.node_bundle


@cache
def template_variables(logical_id: str) -> tuple[str, ...]:
    """The names of the environment variables template.yaml gives the function `logical_id`:
    the Globals' and its own."""
    template = yaml_parse(TEMPLATE_PATH.read_text(encoding="utf-8"))
    shared = template["Globals"]["Function"]["Environment"]["Variables"]
    own = template["Resources"][logical_id]["Properties"]["Environment"]["Variables"]
    return (*shared, *own)


def setting_values(settings: Settings) -> dict[str, str]:
    """The value of each variable the template may set, as `settings` has it (the origins
    empty, as on AWS: the gateway answers CORS)."""
    values = {
        "LOG_LEVEL": settings.log_level,
        "ALLOWED_ORIGINS": "",
        "ADMIN_CLAIM": settings.admin_claim,
        "ADMIN_GROUP": settings.admin_group,
        "RATE_LIMIT_PER_MINUTE": str(settings.rate_limit_per_minute),
        "UPLOAD_URL_EXPIRES_SECONDS": str(settings.upload_url_expires_seconds),
    }
    values |= {table.env: settings.table(key) for key, table in TABLES.items()}
    values |= {bucket.env: settings.bucket(key) for key, bucket in BUCKETS.items()}
    keys = [key.decode() for key in settings.cursor_keys]
    for name, key in zip(("CURSOR_KEY", "CURSOR_KEY_PREVIOUS"), keys, strict=False):
        values[name] = key
    return values


def function_environment(function: Function, settings: Settings) -> dict[str, str]:
    """The environment of `function` on Lambda, as the template sets it, with `settings`'
    values and endpoint, and what Lambda itself sets."""
    values = setting_values(settings)
    environment = {
        name: values[name] for name in template_variables(function.logical_id) if name in values
    }
    environment |= {name: os.environ[name] for name in PASSED_VARIABLES if name in os.environ}
    environment |= LAMBDA_VARIABLES | {
        "AWS_REGION": settings.region,
        "AWS_DEFAULT_REGION": settings.region,
        "AWS_LAMBDA_FUNCTION_NAME": function.logical_id,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(MEMORY_LIMIT_MB),
    }
    if settings.aws_endpoint_url:
        environment["AWS_ENDPOINT_URL"] = settings.aws_endpoint_url
    return environment


class NodeFunction:
    """A function's bundle in a Node process that answers one invocation at a time, started
    on first use and again if it has ended (as Lambda starts a new execution environment);
    what the function logs goes to this process's stdout and stderr, unless not `logs`."""

    def __init__(
        self, name: str, bundle: Path, environment: Mapping[str, str], *, logs: bool = True
    ) -> None:
        self.name = name
        self.logs = logs
        self.bundle = bundle
        self.environment = dict(environment)
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._replies: IO[bytes] | None = None

    def start(self) -> None:
        """Start the process (the function's init phase) unless it is running."""
        if self._process is not None and self._process.poll() is None:
            return
        node = node_executable()
        if node is None:
            raise NodeMissing("node is not on the PATH: install Node.js (22 or later)")
        if not self.bundle.is_file():
            raise NodeMissing(f"{self.bundle} is missing: `make ts` builds it")
        self.stop()
        read, write = os.pipe()
        try:
            self._process = subprocess.Popen(  # noqa: S603 (node and the bundle of this checkout)
                [node, str(RUNNER), str(self.bundle), str(write)],
                stdin=subprocess.PIPE,
                stdout=None if self.logs else subprocess.DEVNULL,
                pass_fds=(write,),
                env=self.environment,
                cwd=self.bundle.parent,
            )
        finally:
            os.close(write)
        self._replies = os.fdopen(read, "rb")

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        given = {
            "functionName": context.function_name,
            "awsRequestId": context.aws_request_id,
            "memoryLimitInMB": context.memory_limit_in_mb,
            "remainingMillis": context.get_remaining_time_in_millis(),
        }
        with self._lock:
            self.start()
            assert self._process is not None
            assert self._process.stdin is not None
            assert self._replies is not None
            try:
                self._process.stdin.write(
                    json.dumps({"event": event, "context": given}).encode() + b"\n"
                )
                self._process.stdin.flush()
            except BrokenPipeError:
                pass
            # Lambda ends an invocation at the function's timeout, and its environment too.
            if not select.select([self._replies], [], [], given["remainingMillis"] / 1000)[0]:
                self.stop(wait=False)
                raise FunctionError(f"{self.name}: timed out")
            line = self._replies.readline()
            if not line:
                code = self._process.wait()
                raise FunctionError(f"{self.name}: the Node process ended (exit code {code})")
        reply = json.loads(line)
        if "error" in reply:
            error = reply["error"]
            raise FunctionError(f"{self.name}: {error['errorType']}: {error['errorMessage']}")
        result: dict[str, Any] = reply["result"]
        return result

    def stop(self, *, wait: bool = True) -> None:
        """End the process: its stdin closed, it finishes and exits (killed at once if not
        `wait`, or if it has not exited within seconds)."""
        process, self._process = self._process, None
        if self._replies is not None:
            self._replies.close()
            self._replies = None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=5 if wait else 0)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def node_functions(
    settings: Settings, bundles: Mapping[str, Path] | None = None
) -> dict[str, NodeFunction]:
    """Every function of template.yaml, by logical id, from its bundle (by the function's key
    in api/resources.py; by default ts/dist's), with its environment of `settings`."""
    return {
        function.logical_id: NodeFunction(
            function.logical_id,
            (bundles or {}).get(key, bundle_path(function)),
            function_environment(function, settings),
        )
        for key, function in FUNCTIONS.items()
    }
