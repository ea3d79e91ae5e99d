"""The local issuer's sign-in for browsers: the authorization code grant with PKCE (S256
only), as Cognito's hosted UI serves it to a public client."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from dev.authorization import AUTHORIZE_PATH, TOKEN_PATH, AuthorizationServer, s256
from dev.issuer import DISCOVERY_PATH, IssuerMiddleware, LocalIssuer, SigningKey

ISSUER = "http://127.0.0.1:9"
ORIGIN = "http://localhost:3000"
REDIRECT = ORIGIN + "/"
CLIENT = "users-assets-api"
# RFC 7636 appendix B: a code verifier and its S256 challenge.
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def not_found(scope, receive, send):
    await send({"type": "http.response.start", "status": 404, "headers": []})
    await send({"type": "http.response.body", "body": b""})


@pytest.fixture(scope="module")
def issuer() -> LocalIssuer:
    return LocalIssuer(SigningKey.generate(), ISSUER, audience=CLIENT)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(issuer, clock) -> TestClient:
    server = AuthorizationServer(
        issuer, client_id=CLIENT, redirect_uris=[REDIRECT], allowed_origins=[ORIGIN], clock=clock
    )
    app = IssuerMiddleware(not_found, issuer, authorization=server)
    return TestClient(app, base_url=ISSUER, follow_redirects=False)


def request(**changes: str | None) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": CLIENT,
        "redirect_uri": REDIRECT,
        "scope": "openid api/access",
        "state": "the state",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        **changes,
    }
    return {name: value for name, value in params.items() if value is not None}


def answer(response) -> dict[str, str]:
    """The query of the redirect back to the client, which must go to its redirect URI."""
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return {name: values[0] for name, values in parse_qs(location.query).items()}


def code_for(client, subject="ada", *, admin=True, **changes) -> str:
    form = {**request(**changes), "subject": subject, **({"admin": "on"} if admin else {})}
    back = answer(client.post(AUTHORIZE_PATH, data=form))
    assert back["state"] == "the state"
    return back["code"]


def exchange(client, code, verifier=VERIFIER, **changes):
    form = {
        "grant_type": "authorization_code",
        "client_id": CLIENT,
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
        **changes,
    }
    return client.post(TOKEN_PATH, data=form, headers={"Origin": ORIGIN})


def test_s256_is_the_challenge_of_rfc_7636s_example():
    assert s256(VERIFIER) == CHALLENGE


def test_the_discovery_document_names_the_endpoints_and_s256_only(client):
    discovery = client.get(DISCOVERY_PATH).json()

    assert discovery["authorization_endpoint"] == ISSUER + AUTHORIZE_PATH
    assert discovery["token_endpoint"] == ISSUER + TOKEN_PATH
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert discovery["response_types_supported"] == ["code"]
    assert discovery["jwks_uri"] == ISSUER + "/.well-known/jwks.json"


def test_the_authorize_page_is_a_form_that_carries_the_request(client):
    page = client.get(AUTHORIZE_PATH, params=request())

    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<input name="subject"' in page.text
    assert f'name="code_challenge" value="{CHALLENGE}"' in page.text
    assert 'name="state" value="the state"' in page.text


def test_a_code_and_its_verifier_are_exchanged_for_a_token_of_the_issuer(client, issuer):
    response = exchange(client, code_for(client, "ada", admin=True))

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["access-control-allow-origin"] == ORIGIN
    body = response.json()
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    claims = issuer.verifier()(body["access_token"])
    assert (claims["sub"], claims["cognito:groups"], claims["client_id"]) == (
        "ada",
        ["admin"],
        CLIENT,
    )


def test_a_caller_who_does_not_tick_admin_gets_no_admin_group(client, issuer):
    token = exchange(client, code_for(client, "grace", admin=False)).json()["access_token"]

    assert "cognito:groups" not in issuer.verifier()(token)


def test_a_wrong_verifier_is_refused_and_spends_the_code(client):
    code = code_for(client)

    wrong = exchange(client, code, verifier="x" * 43)
    again = exchange(client, code)

    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert again.json()["error"] == "invalid_grant"


def test_a_code_is_exchanged_once(client):
    code = code_for(client)

    assert exchange(client, code).status_code == 200
    assert exchange(client, code).json()["error"] == "invalid_grant"


def test_an_expired_code_is_refused(client, clock):
    code = code_for(client)
    clock.now += 60

    assert exchange(client, code).json()["error"] == "invalid_grant"


def test_a_code_for_another_redirect_uri_is_refused(client):
    response = exchange(client, code_for(client), redirect_uri=ORIGIN + "/elsewhere")

    assert response.json()["error"] == "invalid_grant"


def test_a_malformed_verifier_is_an_invalid_request(client):
    assert exchange(client, code_for(client), verifier="short").json()["error"] == (
        "invalid_request"
    )


def test_another_grant_type_is_refused(client):
    response = exchange(client, code_for(client), grant_type="password")

    assert response.json()["error"] == "unsupported_grant_type"


def test_another_client_is_refused_at_the_token_endpoint(client):
    response = exchange(client, code_for(client), client_id="someone-else")

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge": "too-short"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "openid admin"}, "invalid_scope"),
    ],
)
def test_a_request_the_grant_does_not_serve_is_sent_back_with_its_error(client, changes, error):
    back = answer(client.get(AUTHORIZE_PATH, params=request(**changes)))

    assert back["error"] == error
    assert back["state"] == "the state"
    assert "code" not in back


@pytest.mark.parametrize(
    "changes", [{"client_id": "someone-else"}, {"redirect_uri": "https://attacker.example/"}]
)
def test_an_unknown_client_or_redirect_uri_is_never_redirected_to(client, changes):
    response = client.get(AUTHORIZE_PATH, params=request(**changes))

    assert response.status_code == 400
    assert "location" not in response.headers
    assert "<form" not in response.text


def test_a_subject_that_cannot_name_a_caller_shows_the_form_again(client):
    response = client.post(AUTHORIZE_PATH, data={**request(), "subject": "a\u0000b"})

    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert "<form" in response.text


def test_the_token_endpoint_names_no_other_origin_in_cors(client):
    response = client.post(TOKEN_PATH, data={}, headers={"Origin": "http://localhost:3999"})

    assert "access-control-allow-origin" not in response.headers
