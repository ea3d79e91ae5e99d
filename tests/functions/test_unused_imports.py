"""The stand-ins of the Lambda entry points: exactly what Connexion imports and never uses
on Lambda, refusing loudly when used, and only on Lambda."""

from __future__ import annotations

import ast
import json
import sys
from collections import defaultdict
from importlib.util import find_spec
from pathlib import Path

import pytest

from api.functions import unused_imports
from api.functions.unused_imports import STAND_INS, NotLoadedOnLambda, install, stand_in
from api.resources import FUNCTIONS, Secret
from tests.functions.bundle_python import run_in_bundle

LAMBDA = {unused_imports.LAMBDA_MARKER: "tests", "AWS_REGION": "us-east-1"}
ENTRY_ENV = {
    **LAMBDA,
    # Every table and bucket the functions are told of on Lambda, named for the test.
    **{
        resource.env: resource.env.lower().replace("_", "-")
        for function in FUNCTIONS.values()
        for resource in function.resources
        if not isinstance(resource, Secret)
    },
    "CURSOR_KEY": "tests only: a cursor key of 32 bytes or more",
    "AWS_ACCESS_KEY_ID": "tests",
    "AWS_SECRET_ACCESS_KEY": "tests",
    "AWS_EC2_METADATA_DISABLED": "true",
}

# Where the Lambda path imports each stood-in module, and what it uses of it: (file relative
# to its package's parent, the name used). When Connexion (or starlette's templating, which
# Connexion's docs middleware imports) changes this, the stand-ins must be reviewed.
EXPECTED_USES = {
    "starlette.testclient": {("connexion/apps/abstract.py", "TestClient")},
    "httpx": {("connexion/security.py", "AsyncClient")},
    "requests": {("connexion/json_schema.py", "get")},
    "jinja2": {
        ("connexion/spec.py", "Template"),
        ("starlette/templating.py", "pass_context"),
        ("starlette/templating.py", "contextfunction"),
        ("starlette/templating.py", "Environment"),
        ("starlette/templating.py", "FileSystemLoader"),
        ("starlette/templating.py", "select_autoescape"),
        ("starlette/templating.py", "Template"),
    },
    "werkzeug": {("connexion/lifecycle.py", "Request")},
    "yaml": {
        ("connexion/json_schema.py", "SafeLoader"),
        ("connexion/json_schema.py", "load"),
        ("connexion/spec.py", "safe_load"),
        ("connexion/utils.py", "representer"),
        ("connexion/utils.py", "dumper"),
        ("connexion/utils.py", "dump"),
    },
}


def package_dir(name: str) -> Path:
    spec = find_spec(name)
    assert spec is not None
    assert spec.origin is not None
    return Path(spec.origin).parent


def uses_in(path: Path, root: Path) -> dict[str, set[tuple[str, str]]]:
    """The names each stood-in module gives `path`: by `from m import n` and by `m.n`."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    where = str(path.relative_to(root))
    aliases: dict[str, str] = {}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in STAND_INS:
                    aliases[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module in STAND_INS and not node.level:
            for alias in node.names:
                found[str(node.module)].add((where, alias.name))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            found[aliases[node.value.id]].add((where, node.attr))
    return found


def test_the_stand_ins_hold_what_connexion_takes_from_them_and_no_other_use_exists():
    uses: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for package in ("connexion", "starlette"):
        root = package_dir(package).parent
        for path in sorted(package_dir(package).rglob("*.py")):
            if package == "starlette" and path.name != "templating.py":
                continue  # starlette's own modules import none of them on the Lambda path
            if path.name in {"flask.py", "testclient.py"}:
                continue  # Connexion's Flask app and starlette's test client are not loaded
            for module, names in uses_in(path, root).items():
                uses[module] |= names

    assert dict(uses) == EXPECTED_USES
    for module, held in STAND_INS.items():
        assert set(held) <= {name for _, name in EXPECTED_USES[module]}


@pytest.mark.parametrize("module", sorted(STAND_INS))
def test_a_stand_in_refuses_every_use_in_words(module):
    stub = stand_in(module)

    with pytest.raises(NotLoadedOnLambda, match=f"{module}.anything is not loaded on Lambda"):
        _ = stub.anything
    for name in STAND_INS[module]:
        with pytest.raises(NotLoadedOnLambda, match=f"{module}.{name} is not loaded"):
            getattr(stub, name)()


def test_nothing_is_stood_in_off_lambda_nor_a_module_already_imported(monkeypatch):
    assert install({}) == []
    for module in STAND_INS:
        monkeypatch.delitem(sys.modules, module, raising=False)
    import yaml  # noqa: F401 - the real one, imported before

    installed = install(LAMBDA)
    try:
        assert "yaml" not in installed
        assert sorted(installed) == sorted(set(STAND_INS) - {"yaml"})
    finally:
        for module in installed:
            del sys.modules[module]


LOADED = """
import json, sys
from api.functions import unused_imports
import api.functions.users, api.functions.assets
print(json.dumps({
    "packages": sorted({
        m.partition(".")[0] for m in sys.modules
        if m.partition(".")[0] not in sys.stdlib_module_names and m != "__main__"
    }),
    "real": sorted(
        m for m in unused_imports.STAND_INS
        if m in sys.modules and not unused_imports.is_stand_in(sys.modules[m])
    ),
    "werkzeug": sorted(m for m in sys.modules if m.startswith("werkzeug")),
}))
"""

# What the two Lambda functions load at init, by top-level package, besides the stdlib.
EXPECTED_PACKAGES = [
    "anyio",
    "api",
    "asgiref",
    "attr",
    "attrs",
    "botocore",
    "certifi",
    "connexion",
    "dateutil",
    "httpx",
    "idna",
    "inflection",
    "jinja2",
    "jmespath",
    "jsonschema",
    "jsonschema_specifications",
    "mangum",
    "markupsafe",
    "pynamodb",
    "python_multipart",
    "referencing",
    "requests",
    "rfc3339_validator",
    "rpds",
    "six",
    "starlette",
    "structlog",
    "typing_extensions",
    "urllib3",
    "werkzeug",
    "yaml",
]


def test_the_lambda_functions_import_what_they_need_and_only_stand_ins_of_the_rest():
    loaded = json.loads(run_in_bundle(LOADED, ENTRY_ENV))

    assert loaded["real"] == []
    assert loaded["packages"] == EXPECTED_PACKAGES
    assert "werkzeug.local" in loaded["werkzeug"]
    assert not {"werkzeug.serving", "werkzeug.test", "werkzeug.wrappers"} & set(loaded["werkzeug"])


def test_off_lambda_the_same_imports_load_the_real_modules():
    env = {**ENTRY_ENV, unused_imports.LAMBDA_MARKER: ""}

    loaded = json.loads(run_in_bundle(LOADED, env))

    assert loaded["real"] == sorted(STAND_INS)


# The events carry claims and no real token: the bundle has no JWT library to sign one with,
# and the functions never verify it (API Gateway has).
SERVE = """
import json
from api.functions.users import handler as users
from api.functions.assets import handler as assets
from tests.events import FakeLambdaContext, make_http_event

def event(**fields):
    return make_http_event(signed=False, **fields)

statuses = [
    users(event(path="/health"), FakeLambdaContext())["statusCode"],
    users(event(method="POST", body={"name": 1}), FakeLambdaContext())["statusCode"],
    users(event(method="PUT", path="/users"), FakeLambdaContext())["statusCode"],
    users(event(path="/nowhere"), FakeLambdaContext())["statusCode"],
    users(event(path="/users", query="limit=0"), FakeLambdaContext())["statusCode"],
    assets(event(method="POST", path="/assets", body={"size": -1}), FakeLambdaContext())[
        "statusCode"
    ],
    assets(
        event(method="POST", path="/assets", body=b"{", headers={"content-type":
        "application/json"}), FakeLambdaContext()
    )["statusCode"],
]
print(json.dumps(statuses))
"""


def test_the_functions_serve_through_every_layer_with_the_stand_ins_in_place():
    # Each request stops before storage (no AWS here): a use of a stand-in would be a 500.
    statuses = json.loads(run_in_bundle(SERVE, ENTRY_ENV).splitlines()[-1])

    assert statuses == [200, 400, 405, 404, 400, 400, 400]
