"""The TypeScript functions (ts/): their own node:test suite, the functions and tags they
serve, the users function answering hostile requests and a conversation byte for byte as
the Python one, and its bundle writing what the Python function reads."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest

from api.functions.builders import users_function
from api.paths import ROOT
from api.resources import FUNCTIONS
from api.rules.cursors import CursorCodec
from api.settings import Settings
from api.users.service import UserService
from api.users.storage import DynamoUserRepository, bind_user_table
from dev.fakes import InMemoryUserRepository
from tests.claims import ALICE
from tests.events import FakeLambdaContext, make_http_event

TS = ROOT / "ts"
# test/events.ts signs the cursors of its function with this key too.
CURSOR_KEY = b"tests only: a cursor key of 32 bytes"
USER = "/users/3f2b9c1e-8d4a-4f6b-9a7e-2c1d0e5f4a3b"
VALID = {"email": "a@b.c", "name": "A"}


def _node_ready() -> None:
    """Skips without npm; installs the pinned packages and builds when `make ts` has not."""
    if shutil.which("npm") is None:
        pytest.skip("the TypeScript functions need npm (Node.js), which this machine lacks")
    if not (TS / "node_modules" / ".package-lock.json").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=TS,
            check=True,
            timeout=600,
        )
    if not (TS / "dist" / "users-handler.js").exists():
        subprocess.run(["npm", "run", "--silent", "build"], cwd=TS, check=True, timeout=600)


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


def _node_differences(python, events, given) -> list[tuple[str, str, Any, Any]]:
    """The events the Python function and the Node one (test/drive.ts, fed `given`) answer
    differently: method, path and both answers."""
    expected = [_answer(python(event, FakeLambdaContext())) for event in events]
    result = _run("node", "--import", "tsx", "test/drive.ts", stdin=json.dumps(given))
    assert result.returncode == 0, result.stderr
    answered = [_answer(r) for r in json.loads(result.stdout)]
    return [
        (event["requestContext"]["http"]["method"], event["rawPath"], py, node)
        for event, py, node in zip(events, expected, answered, strict=True)
        if py != node
    ]


def test_the_node_users_function_answers_hostile_requests_as_the_python_one():
    _node_ready()
    python = users_function(
        Settings(log_level="CRITICAL", cursor_keys=(CURSOR_KEY,)),
        users=UserService(InMemoryUserRepository()),
    )
    assert _node_differences(python, HOSTILE, HOSTILE) == []


ADA = "3f2b9c1e-8d4a-4f6b-9a7e-2c1d0e5f4a3b"
GRACE = "5d0c7a8e-1b2f-4c3d-9e4f-6a7b8c9d0e1f"
ZOE = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
OTHER = "c4d5e6f7-0819-4a2b-8c3d-4e5f60718293"
CLOCK_START = 1790000000.25

# A conversation with stored users: created, read, changed, listed and deleted.
CONVERSATION = [
    _event(method="POST", body={"email": "Ada@Example.com", "name": "Ada", "subject": ALICE}),
    _event(method="POST", body={"email": "grace@example.com", "name": "G", "department": "R"}),
    _event(
        method="POST",
        body={
            "email": "zoe@b\u00fccher.example",
            "name": "Zo\u00eb",
            "expiresAt": "2099-01-01T00:00:00.5Z",
        },
        headers={"Idempotency-Key": "k1"},
    ),
    _event(method="POST", body={"email": "ADA@example.com", "name": "Other"}),
    _event(path=f"/users/{ADA}"),
    _event(path=f"/users/{ADA}", headers={"If-None-Match": 'W/"1"'}),
    _event(path=f"/users/{ADA}", caller=ALICE),
    _event(path=f"/users/{GRACE}", caller=ALICE),
    _event(path=f"/users/{ADA}", method="PATCH", body={"email": "x@y.z"}, caller=ALICE),
    _event(path=f"/users/{ADA}", method="PATCH", body={"name": "Ada L."}, caller=ALICE),
    _event(path=f"/users/{ADA}", method="PATCH", body={"name": "A"}, headers={"If-Match": '"1"'}),
    _event(path=f"/users/{ADA}", method="PATCH", body={"name": "A"}, headers={"If-Match": "2"}),
    _event(
        path=f"/users/{ADA}", method="PATCH", body={"name": "A"}, headers={"If-None-Match": "*"}
    ),
    _event(path=f"/users/{ADA}", method="PATCH", body={"email": "grace@EXAMPLE.com"}),
    _event(path=f"/users/{GRACE}", method="PATCH", body={"department": None, "expiresAt": None}),
    _event(query="limit=1"),
    _event(query="limit=2&department=R"),
    _event(query="email=zoe@XN--BCHER-KVA.example"),
    _event(query="limit=1&cursor=" + "eyJwIjp7fX0"),
    _event(
        method="POST",
        body={
            "email": "zoe@b\u00fccher.example",
            "name": "Zo\u00eb",
            "expiresAt": "2099-01-01T00:00:00.5Z",
        },
        headers={"Idempotency-Key": "k1"},
    ),
    _event(
        method="POST",
        body={"email": "zoe@b\u00fccher.example", "name": "Z"},
        headers={"Idempotency-Key": '"k1"'},
    ),
    _event(path=f"/users/{GRACE}", method="DELETE", headers={"If-Match": '"1"'}),
    _event(path=f"/users/{GRACE}", method="DELETE", headers={"If-Match": '"2", "3"'}),
    _event(path=f"/users/{GRACE}", method="DELETE"),
    _event(path=f"/users/{ZOE}", method="DELETE"),
    _event(
        method="POST",
        body={
            "email": "zoe@b\u00fccher.example",
            "name": "Zo\u00eb",
            "expiresAt": "2099-01-01T00:00:00.5Z",
        },
        headers={"Idempotency-Key": "k1"},
    ),
    _event(query="limit=5"),
]


def test_the_node_users_function_keeps_a_conversation_as_the_python_one(settings, monkeypatch):
    """The Python function on the emulator's tables, the node one on its in-memory DynamoDB;
    both draw the same ids and read the same clock."""
    _node_ready()
    ids = iter([ADA, GRACE, ZOE, OTHER])
    # The service's own uuid module only: botocore draws its request tokens from uuid too.
    monkeypatch.setattr("api.users.service.uuid", SimpleNamespace(uuid4=lambda: next(ids)))
    readings = iter(range(10_000))
    python = users_function(
        settings,
        users=UserService(
            DynamoUserRepository(bind_user_table(settings)),
            lambda: CLOCK_START + next(readings),
            cursors=CursorCodec((CURSOR_KEY,)),
        ),
    )
    given = {"events": CONVERSATION, "ids": [ADA, GRACE, ZOE, OTHER], "start": CLOCK_START}
    assert _node_differences(python, CONVERSATION, given) == []


def _bundle_env(settings: Settings) -> dict[str, str]:
    """The environment the template gives the node users function, on the emulator's tables."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
        "AWS_REGION": settings.region,
        "AWS_ENDPOINT_URL": str(settings.aws_endpoint_url),
        "USERS_TABLE": settings.table("users"),
        "IDEMPOTENCY_TABLE": settings.table("idempotency"),
        "RATE_LIMITS_TABLE": settings.table("rate_limits"),
        "CURSOR_KEY": CURSOR_KEY.decode(),
        "RATE_LIMIT_PER_MINUTE": "100",
        "LOG_LEVEL": "ERROR",
    }


SERVE_FROM_STDIN = """
const { handler } = require("./dist/users-handler.js");
const events = JSON.parse(require("fs").readFileSync(0, "utf8"));
(async () => {
  const results = [];
  for (const event of events) results.push(await handler(event, {}));
  process.stdout.write(JSON.stringify(results));
})();
"""


def test_the_node_bundle_writes_what_the_python_function_reads_and_replays(settings):
    """The built users bundle, with the AWS SDK, on the emulator's tables: the Python function
    lists the users it stored and replays the creation it recorded under an Idempotency-Key."""
    _node_ready()
    create = _event(
        method="POST",
        body={"email": "Ada@Example.com", "name": "Ada", "department": "R"},
        headers={"Idempotency-Key": "k"},
    )
    events = [
        create,
        _event(method="POST", body={"email": "ada@EXAMPLE.com", "name": "Another"}),
        _event(method="POST", body={"email": "grace@example.com", "name": "Grace"}),
    ]
    result = subprocess.run(
        ["node", "-e", SERVE_FROM_STDIN],
        cwd=TS,
        input=json.dumps(events),
        env=_bundle_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    created, taken, grace = json.loads(result.stdout)
    assert (created["statusCode"], taken["statusCode"], grace["statusCode"]) == (201, 409, 201)

    python = users_function(replace(settings, cursor_keys=(CURSOR_KEY,)))
    replayed = python(create, FakeLambdaContext())
    assert replayed["statusCode"] == 201
    assert replayed["headers"]["idempotent-replayed"] == "true"
    assert _answer(replayed)[2] == powertools_order(json.loads(created["body"]))
    listed = python(_event(query="limit=5"), FakeLambdaContext())
    users = json.loads(_answer(listed)[2])["items"]
    assert [u["email"] for u in users] == ["grace@example.com", "ada@example.com"]
    assert users[1] == json.loads(created["body"])


def powertools_order(body: dict[str, Any]) -> str:
    """A replayed body as the Python function writes it: its members in the order of the
    stored record, which Powertools sorts."""
    return json.dumps(body, sort_keys=True) + "\n"
