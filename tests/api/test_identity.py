"""Who is calling: bearer tokens refused as 401 problems for every way a token can be wrong,
locally (the app verifies) and on Lambda (API Gateway's authorizer has verified)."""

from __future__ import annotations

import base64
import dataclasses
import json
import time

import jwt
import pytest
from starlette.testclient import TestClient

from api.functions.builders import local_app, users_function
from api.spec import load_spec, operations
from dev.issuer import LocalIssuer, SigningKey
from tests.api.problems import assert_problem
from tests.events import FakeLambdaContext, make_http_event
from tests.identity import ADMIN, ALICE, ISSUER, token, verify

SECURED = [
    (method, path)
    for method, path, operation, _ in operations(load_spec())
    if operation.get("security", load_spec().get("security"))
]
SOME_ID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def http(settings):
    with TestClient(local_app(settings, authenticate=verify)) as client:
        yield client


def get_users(http, value):
    return http.get("/users", headers={"Authorization": value})


def unsigned(claims):
    segment = lambda part: base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=")  # noqa: E731
    return b".".join([segment({"alg": "none", "typ": "JWT"}), segment(claims), b""]).decode()


def claims_of(subject=ADMIN, **changes):
    now = int(time.time())
    base = {
        "iss": ISSUER.issuer,
        "aud": ISSUER.audience,
        "sub": subject,
        "iat": now,
        "exp": now + 60,
    }
    return {**base, **changes}


def header_token(header):
    """An issuer's token whose JOSE header gets `header` too (its signature no longer
    verifies, but the header is read first, and must be refused as a 401 by itself)."""
    _, payload, signature = token().split(".")
    jose = {"alg": "RS256", "typ": "JWT", "kid": ISSUER.key.kid, **header}
    encoded = base64.urlsafe_b64encode(json.dumps(jose).encode()).rstrip(b"=").decode()
    return f"{encoded}.{payload}.{signature}"


def tampered():
    header, payload, signature = token(ALICE).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["cognito:groups"] = ["admin"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


REFUSED = {
    "expired": (lambda: token(exp=int(time.time()) - 60), "The token has expired."),
    "not yet valid": (lambda: token(nbf=int(time.time()) + 600), "The token is not valid yet."),
    "of another issuer": (lambda: token(iss="https://evil.example"), "another issuer"),
    "for another audience": (lambda: token(aud="another-api"), "another audience"),
    "alg none": (lambda: unsigned(claims_of()), "must be signed with RS256"),
    "tampered": (tampered, "signature does not verify"),
    "of an unknown key": (
        lambda: LocalIssuer(SigningKey.generate(), ISSUER.issuer).token(ADMIN, admin=True),
        "a key this issuer does not publish",
    ),
    "HS256 with the public key as secret": (
        lambda: jwt.encode(claims_of(), "s" * 32, "HS256", headers={"kid": ISSUER.key.kid}),
        "must be signed with RS256",
    ),
    "without a subject": (
        lambda: jwt.encode(
            {k: v for k, v in claims_of().items() if k != "sub"},
            ISSUER.key.private_key,
            "RS256",
            headers={"kid": ISSUER.key.kid},
        ),
        "lacks the sub claim",
    ),
    "not a JWT": (lambda: "not-a-token", "not a JWT"),
    "a kid that is not a string": (lambda: header_token({"kid": 7}), "not a JWT this API can read"),
    "a crit header": (lambda: header_token({"crit": ["exp"]}), "not a JWT this API can read"),
    "a subject ending in a newline": (lambda: token("alice\n"), "names no subject"),
}


@pytest.mark.parametrize("case", REFUSED, ids=str)
def test_a_bad_token_is_a_401_problem_with_an_invalid_token_challenge(http, case):
    make, detail = REFUSED[case]
    response = get_users(http, f"Bearer {make()}")
    assert_problem(response, 401, detail)
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="users-assets-api", error="invalid_token"')


@pytest.mark.parametrize("value", ["", "Basic YTpi", "Bearer", "bearer  "])
def test_no_bearer_token_is_a_401_with_a_plain_challenge(http, value):
    response = get_users(http, value)
    assert_problem(response, 401, "needs a bearer token")
    assert response.headers["www-authenticate"] == 'Bearer realm="users-assets-api"'


@pytest.mark.parametrize(("method", "path"), SECURED, ids=lambda p: str(p))
def test_every_secured_operation_refuses_an_anonymous_call_before_anything_else(http, method, path):
    # With a body that is not JSON too: authentication comes before validation.
    response = http.request(
        method,
        path.format(userId=SOME_ID, assetId=SOME_ID),
        content=b"{",
        headers={"Content-Type": "application/json"},
    )
    assert_problem(response, 401)


def test_health_needs_no_token(http):
    assert http.get("/health").status_code == 200


def test_the_token_is_the_scheme_case_insensitively(http):
    assert get_users(http, f"bEaReR {token()}").status_code == 200


def test_on_lambda_the_authorizers_claims_are_trusted_and_never_verified_again(settings):
    handler = users_function(settings)
    event = make_http_event(path="/users", caller=ADMIN)
    # The header's token is not one this process could verify: only the claims count.
    event["headers"]["authorization"] = "Bearer opaque-to-the-function"
    assert handler(event, FakeLambdaContext())["statusCode"] == 200


def test_on_lambda_a_request_without_authorizer_claims_is_refused(settings):
    handler = users_function(settings)
    event = make_http_event(path="/users", caller=ALICE)
    del event["requestContext"]["authorizer"]
    response = handler(event, FakeLambdaContext())
    assert response["statusCode"] == 401
    body = base64.b64decode(response["body"]) if response["isBase64Encoded"] else response["body"]
    assert "not verified by the API's authorizer" in json.loads(body)["detail"]


def test_on_lambda_the_admin_group_comes_from_the_flattened_claim(settings):
    handler = users_function(settings)
    event = make_http_event(path="/users", caller=ALICE)
    assert handler(event, FakeLambdaContext())["statusCode"] == 403
    event["requestContext"]["authorizer"]["jwt"]["claims"]["cognito:groups"] = "[staff admin]"
    assert handler(event, FakeLambdaContext())["statusCode"] == 200


def test_the_log_line_names_the_caller_by_subject_and_holds_no_token(settings, capsys):
    value = token(ALICE)
    app = local_app(dataclasses.replace(settings, log_level="INFO"), authenticate=verify)
    with TestClient(app) as http:
        http.get("/assets", headers={"Authorization": f"Bearer {value}"})
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    (line,) = [entry for entry in lines if entry.get("event") == "request"]
    assert line["caller"] == ALICE
    out = json.dumps(lines)
    assert value not in out
    assert value.split(".")[1] not in out
