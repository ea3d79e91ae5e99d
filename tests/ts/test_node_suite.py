"""The TypeScript functions (ts/): their own node:test suite, the functions and tags they
serve, and the users function answering hostile requests byte for byte as the Python one."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from typing import Any

import pytest

from api.functions.builders import users_function
from api.paths import ROOT
from api.resources import FUNCTIONS
from api.settings import Settings
from api.users.service import UserService
from dev.fakes import InMemoryUserRepository
from tests.claims import ALICE
from tests.events import FakeLambdaContext, make_http_event

TS = ROOT / "ts"
# test/events.ts signs the cursors of its function with this key too.
CURSOR_KEY = b"tests only: a cursor key of 32 bytes"
USER = "/users/3f2b9c1e-8d4a-4f6b-9a7e-2c1d0e5f4a3b"
VALID = {"email": "a@b.c", "name": "A"}


def _node_ready() -> None:
    """Skips without npm; installs the pinned packages when `make ts` has not."""
    if shutil.which("npm") is None:
        pytest.skip("the TypeScript functions need npm (Node.js), which this machine lacks")
    if not (TS / "node_modules" / ".package-lock.json").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=TS,
            check=True,
            timeout=600,
        )


def _run(*command: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command), cwd=TS, input=stdin, capture_output=True, text=True, timeout=600, check=False
    )


def test_the_node_test_suite_passes_after_a_build_from_the_spec():
    _node_ready()
    result = _run("npm", "test", "--silent")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "# fail 0" in result.stdout
    assert "# pass 0" not in result.stdout


def test_the_node_functions_serve_the_tags_api_resources_gives_them():
    _node_ready()
    script = (
        "import('./scripts/functions.mjs').then(m => console.log(JSON.stringify("
        "Object.fromEntries(Object.entries(m.FUNCTIONS).map(([k, f]) => [k, f.tags])))))"
    )
    result = _run("node", "-e", script)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {key: list(f.tags) for key, f in FUNCTIONS.items()}


def _event(**kwargs: Any) -> dict[str, Any]:
    return make_http_event(signed=False, **kwargs)


def _without_header(event: dict[str, Any], name: str) -> dict[str, Any]:
    del event["headers"][name]
    return event


# Requests a hostile client sends, each refused (or answered) before anything is stored.
HOSTILE = [
    _event(method="POST", body={**VALID, "role": "x"}),
    _event(method="POST", body={"name": "A"}),
    _event(method="POST", body={}),
    _event(method="POST", body=[]),
    _event(method="POST", body={"email": "bad", "name": ""}),
    _event(method="POST", body={**VALID, "name": "A\n"}),
    _event(method="POST", body={**VALID, "name": "x" * 201}),
    _event(method="POST", body={**VALID, "name": 5}),
    _event(method="POST", body={**VALID, "expiresAt": "tomorrow"}),
    _event(method="POST", body={**VALID, "expiresAt": "2020-01-01T00:00:00Z"}),
    _event(method="POST", body={**VALID, "expiresAt": "2099-01-01T00:00:00Z\n"}),
    _event(method="POST", body={**VALID, "expiresAt": "9999-12-31T23:59:59-01:00"}),
    _event(method="POST", body={**VALID, "department": None}),
    _event(method="POST", body=b'{"email": "a@b.c", "name": "A", "name": "B"}'),
    _event(method="POST", body=b'{"email": "a@b.c", "name": NaN}'),
    _event(method="POST", body=b'{"email": "a@b.c", "name": 1.0}'),
    _event(method="POST", body=b'{"email": "a@b.c",'),
    _event(method="POST", body=b'{"email": "a@b.c"} x'),
    _event(method="POST", body=b"\xff\xfe"),
    _event(method="POST", body=b'{"email": "a@b.c", "name": "\\ud800"}'),
    _event(method="POST", body=b""),
    _event(method="POST", body=VALID, headers={"content-type": "text/plain"}),
    _event(
        method="POST", body=VALID, headers={"content-type": "application/json; charset=latin-1"}
    ),
    _event(method="POST", body=VALID, headers={"content-type": "nonsense"}),
    _event(method="POST", body=VALID, headers={"Idempotency-Key": ""}),
    _event(method="POST", body=VALID, headers={"Idempotency-Key": "a b"}),
    _event(method="POST", body=VALID, headers={"x-big": "x" * 9000}),
    _event(method="POST", body={**VALID, "size": 1.0}),
    _event(method="POST", body={**VALID, "department": "x" * 101, "subject": "\u200b"}),
    _event(method="POST", body={"email": "\u0130" * 127 + "@example.com", "name": "A"}),
    _event(method="POST", body=VALID, caller=ALICE),
    _event(query="limit=0"),
    _event(query="limit=101"),
    _event(query="limit=1e1"),
    _event(query="limit=abc"),
    _event(query="limit=%EF%BC%91"),
    _event(query="limit=5&limit=1x"),
    _event(query="foo=1"),
    _event(query="cursor=!!"),
    _event(query="cursor=abc"),
    _event(query="email=nope"),
    _event(query="department="),
    _event(query="limit=2"),
    _event(path="/users/nope"),
    _event(path="/users/3F2B9C1E-8D4A-4F6B-9A7E-2C1D0E5F4A3B"),
    _event(path=USER),
    _event(path="/users/"),
    _event(path=USER, method="PATCH", body={}),
    _event(path=USER, method="PATCH", body={"subject": "x"}),
    _event(path=USER, method="PATCH", body={"department": None, "expiresAt": None}),
    _event(path=USER, method="PUT", body={}),
    _event(path=USER, method="DELETE", headers={"If-Match": ""}),
    _event(path="/nowhere"),
    _event(path="/health", method="DELETE"),
    _event(path="/health", caller=None),
    _event(path="/health", method="HEAD", caller=None),
    _event(caller=None),
    _event(caller=ALICE),
    _event(headers={"authorization": "Basic YTpi"}),
    _event(headers={"authorization": "Bearer"}),
    _event(path=USER, method="HEAD"),
    _event(method="OPTIONS"),
    _event(query="email=a@b.c&email=ADA@Example.COM"),
    _event(query="limit=-1"),
    _event(query="limit=00005"),
    _event(query="limit=99999999999999999999999999999999999999999999"),
    _event(query="cursor=" + "A" * 1025),
    _event(query="department=%E2%80%8B"),
    _event(query="email=%ZZ@b.c"),
    _event(path="/users/%33f2b9c1e-8d4a-4f6b-9a7e-2c1d0e5f4a3b"),
    _event(path="/users/caf\u00e9"),
    _event(path="/users/" + "a" * 3000),
    _without_header(_event(method="POST", body=VALID), "content-type"),
    _event(method="POST", body=VALID, headers={"content-length": "70000"}),
    _event(method="POST", body=b'{"email": "a@b.c", "name": "' + b"x" * 70000 + b'"}'),
    _event(method="POST", body=b'{"email": "a@b.c", "name": "A", "expiresAt": 1e400}'),
    _event(method="POST", body=b'{"email": "a@b.c", "name": "A", "subject": ' + b"1" * 50 + b"}"),
    _event(method="POST", body=b'{"email": "a@b.c", "name": "A", "department": [1]}'),
    _event(method="POST", body=b'{"email": "a@b.c", "name": "A", "x": 1, "y": 2, "z": 3, "w": 4}'),
    _event(method="POST", body=b'{"email": "a@b.c", "name": "A", "\\ud800": 1}'),
    _event(method="POST", body=b'{"email": "a@b.c", "name": "A\\u202e"}'),
    _event(method="POST", body=b' \n{"email": "a@b.c"}\n '),
    _event(method="POST", body=b"[" * 5000),
    _event(method="POST", body=b'{"a":' * 2000 + b"1" + b"}" * 2000),
    _event(method="POST", body=b'"just a string"'),
    _event(method="POST", body=b"null"),
    _event(path=USER, method="DELETE", headers={"If-Match": "3"}),
    _event(path=USER, method="PATCH", body={"email": "b@c.d"}, caller=ALICE),
    _event(path=USER, method="GET", headers={"If-None-Match": "*"}),
    _event(path="/openapi.json", caller=None),
    _event(path="/openapi.yaml", caller=None),
    _event(path="/docs", caller=None),
    _event(path="/docs", method="HEAD", caller=None),
    _event(
        method="OPTIONS",
        headers={"origin": "https://x.example", "access-control-request-method": "GET"},
    ),
]


def _answer(result: dict[str, Any]) -> tuple[Any, ...]:
    """What a client sees of a result: status, the headers that mean something, the body."""
    headers = {k.lower(): v for k, v in result["headers"].items()}
    body = result["body"]
    if result.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    kept = (
        "allow",
        "www-authenticate",
        "retry-after",
        "etag",
        "location",
        "content-type",
        "cache-control",
        "content-security-policy",
    )
    return result["statusCode"], {k: headers.get(k) for k in kept}, body


def test_the_node_users_function_answers_hostile_requests_as_the_python_one():
    _node_ready()
    python = users_function(
        Settings(log_level="CRITICAL", cursor_keys=(CURSOR_KEY,)),
        users=UserService(InMemoryUserRepository()),
    )
    expected = [_answer(python(event, FakeLambdaContext())) for event in HOSTILE]
    result = _run("node", "--import", "tsx", "test/drive.ts", stdin=json.dumps(HOSTILE))
    assert result.returncode == 0, result.stderr
    answered = [_answer(r) for r in json.loads(result.stdout)]
    differing = [
        (event["requestContext"]["http"]["method"], event["rawPath"], py, node)
        for event, py, node in zip(HOSTILE, expected, answered, strict=True)
        if py != node
    ]
    assert differing == []
