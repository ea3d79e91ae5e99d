"""The local issuer's sign-in for browsers, as Cognito's hosted UI serves it: OAuth 2.0's
authorization code grant (RFC 6749 section 4.1) for a public client, with PKCE (RFC 7636,
S256 only). /oauth2/authorize shows a page where the developer types a subject and ticks
admin, then sends the browser back to the client's redirect URI with a one-time code;
/oauth2/token exchanges the code and its verifier for the issuer's access token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import re
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

from starlette.types import Receive, Scope, Send

from api.rules.principal import is_subject
from dev.issuer import TOKEN_SECONDS, LocalIssuer

AUTHORIZE_PATH = "/oauth2/authorize"
TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a path, not a secret
SCOPES = frozenset({"openid", "email", "api/access"})
CODE_SECONDS = 60
MAX_FORM_BYTES = 16 * 1024
# RFC 7636 section 4.1 and 4.2: 43 to 128 unreserved characters; S256's challenge is the
# unpadded base64url of a SHA-256 digest, 43 characters.
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_CHALLENGE = re.compile(r"[A-Za-z0-9\-_]{43}")


def s256(verifier: str) -> str:
    """The S256 code challenge of `verifier`."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class AuthorizationError(Exception):
    """An RFC 6749 error: its code, its description, and its HTTP status at the token
    endpoint."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


class UnknownClient(Exception):
    """The client or its redirect URI is not registered: the browser must not be sent there."""


@dataclass(frozen=True)
class Grant:
    """What a code was issued for."""

    client_id: str
    redirect_uri: str
    challenge: str
    scope: str
    subject: str
    admin: bool
    expires: float


class AuthorizationServer:
    """The grant for one public client, `client_id`, which may be sent back to any of
    `redirect_uris`; its tokens are `issuer`'s. Codes live in memory, once each."""

    def __init__(
        self,
        issuer: LocalIssuer,
        *,
        client_id: str,
        redirect_uris: Sequence[str],
        allowed_origins: Sequence[str] = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.redirect_uris = tuple(redirect_uris)
        self.allowed_origins = tuple(allowed_origins)
        self._clock = clock
        self._grants: dict[str, Grant] = {}

    paths = (AUTHORIZE_PATH, TOKEN_PATH)

    def metadata(self) -> dict[str, Any]:
        """What the OpenID discovery document says of this grant."""
        return {
            "authorization_endpoint": self.issuer.issuer + AUTHORIZE_PATH,
            "token_endpoint": self.issuer.issuer + TOKEN_PATH,
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": sorted(SCOPES),
            "token_endpoint_auth_methods_supported": ["none"],
        }

    def check_request(self, params: Mapping[str, str]) -> None:
        """Raise UnknownClient, or AuthorizationError (to be sent to the redirect URI), unless
        `params` are an authorization request this server grants."""
        if params.get("client_id") != self.client_id:
            raise UnknownClient("The client_id is not a client of this issuer.")
        if params.get("redirect_uri") not in self.redirect_uris:
            raise UnknownClient("The redirect_uri is not registered for this client.")
        if params.get("response_type") != "code":
            raise AuthorizationError(
                "unsupported_response_type", "Only the authorization code grant is served."
            )
        if params.get("code_challenge_method") != "S256":
            raise AuthorizationError(
                "invalid_request", "PKCE is required, with code_challenge_method S256."
            )
        if not _CHALLENGE.fullmatch(params.get("code_challenge", "")):
            raise AuthorizationError(
                "invalid_request", "code_challenge must be the S256 of a code verifier."
            )
        if not set(params.get("scope", "openid").split()) <= SCOPES:
            raise AuthorizationError("invalid_scope", f"Scopes served: {' '.join(sorted(SCOPES))}.")

    def grant(self, params: Mapping[str, str], subject: str, *, admin: bool) -> str:
        """A one-time code for `subject`, after check_request(params) has passed."""
        code = secrets.token_urlsafe(32)
        self._grants[code] = Grant(
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            challenge=params["code_challenge"],
            scope=params.get("scope", "openid"),
            subject=subject,
            admin=admin,
            expires=self._clock() + CODE_SECONDS,
        )
        return code

    def exchange(self, form: Mapping[str, str]) -> dict[str, Any]:
        """The token response (RFC 6749 section 5.1) for a code, or AuthorizationError. A
        code is spent by any attempt to exchange it."""
        if form.get("grant_type") != "authorization_code":
            raise AuthorizationError("unsupported_grant_type", "Only authorization_code.")
        if form.get("client_id") != self.client_id:
            raise AuthorizationError("invalid_client", "Unknown client_id.", 401)
        grant = self._grants.pop(form.get("code", ""), None)
        if grant is None or grant.expires <= self._clock():
            raise AuthorizationError("invalid_grant", "The code is unknown, used or expired.")
        if grant.client_id != form["client_id"] or grant.redirect_uri != form.get("redirect_uri"):
            raise AuthorizationError(
                "invalid_grant", "The code was issued to another client or redirect_uri."
            )
        verifier = form.get("code_verifier", "")
        if not _VERIFIER.fullmatch(verifier):
            raise AuthorizationError("invalid_request", "code_verifier is missing or malformed.")
        if not hmac.compare_digest(s256(verifier), grant.challenge):
            raise AuthorizationError("invalid_grant", "The code_verifier does not match.")
        token = self.issuer.token(
            grant.subject, admin=grant.admin, client_id=grant.client_id, scope=grant.scope
        )
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": TOKEN_SECONDS,
            "scope": grant.scope,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serves the two endpoints (the caller routes only their paths here)."""
        method, path = scope["method"], scope["path"]
        if path == AUTHORIZE_PATH and method in ("GET", "POST"):
            try:
                raw = await _body(receive) if method == "POST" else scope["query_string"]
            except AuthorizationError as exc:
                await _respond(send, 413, exc.description.encode(), "text/plain")
                return
            await self._authorize(send, _params(raw), submitted=method == "POST")
        elif path == TOKEN_PATH and method == "POST":
            await self._token(scope, receive, send)
        elif path == TOKEN_PATH and method == "OPTIONS":
            await _respond(send, 204, b"", "text/plain", self._cors(scope))
        else:
            await _respond(send, 405, b"Method Not Allowed", "text/plain")

    async def _authorize(self, send: Send, params: Mapping[str, str], *, submitted: bool) -> None:
        try:
            self.check_request(params)
        except UnknownClient as exc:
            await _respond(send, 400, _page(str(exc), params, form=False), "text/html")
            return
        except AuthorizationError as exc:
            await _redirect(send, params, error=exc.error, error_description=exc.description)
            return
        if not submitted:
            await _respond(send, 200, _page("", params, form=True), "text/html")
            return
        subject = params.get("subject", "")
        if not is_subject(subject):
            message = "The subject must be visible text of at most 255 characters."
            await _respond(send, 400, _page(message, params, form=True), "text/html")
            return
        code = self.grant(params, subject, admin=params.get("admin") == "on")
        await _redirect(send, params, code=code)

    async def _token(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"cache-control", b"no-store"), (b"pragma", b"no-cache"), *self._cors(scope)]
        try:
            answer, status = self.exchange(_params(await _body(receive))), 200
        except AuthorizationError as exc:
            answer = {"error": exc.error, "error_description": exc.description}
            status = exc.status
        await _respond(send, status, json.dumps(answer).encode(), "application/json", headers)

    def _cors(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        """The token endpoint's CORS headers, for the allowed origins, as Cognito's."""
        origin = dict(scope.get("headers", [])).get(b"origin", b"").decode("latin-1")
        if origin not in self.allowed_origins:
            return []
        return [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-methods", b"POST"),
            (b"access-control-allow-headers", b"content-type"),
            (b"vary", b"Origin"),
        ]


def _params(raw: bytes) -> dict[str, str]:
    """A form's or query's fields, the first value of each."""
    parsed = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in parsed.items()}


async def _body(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += bytes(message.get("body", b""))
        if len(body) > MAX_FORM_BYTES:
            raise AuthorizationError("invalid_request", "The form is too large.")
        if not message.get("more_body"):
            return body


async def _respond(
    send: Send,
    status: int,
    body: bytes,
    content_type: str,
    headers: Sequence[tuple[bytes, bytes]] = (),
) -> None:
    start = [
        (b"content-type", f"{content_type}; charset=utf-8".encode()),
        (b"content-length", str(len(body)).encode()),
        *headers,
    ]
    await send({"type": "http.response.start", "status": status, "headers": start})
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, params: Mapping[str, str], **answer: str) -> None:
    """Back to the client's redirect URI with `answer` and the request's state."""
    state = {"state": params["state"]} if "state" in params else {}
    location = params["redirect_uri"] + "?" + urlencode({**answer, **state})
    await send(
        {
            "type": "http.response.start",
            "status": 302,
            "headers": [(b"location", location.encode()), (b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b""})


_REQUEST_FIELDS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


def _page(message: str, params: Mapping[str, str], *, form: bool) -> bytes:
    """The sign-in page: the form (the request's fields hidden in it), or only `message`."""
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(params[name])}">'
        for name in _REQUEST_FIELDS
        if name in params
    )
    alert = f'<p role="alert">{html.escape(message)}</p>' if message else ""
    client = html.escape(params.get("redirect_uri", ""))
    body = (
        f"{alert}<form method=post action={AUTHORIZE_PATH}>{hidden}"
        f"<p>Signing in to <code>{client}</code> through the local issuer.</p>"
        '<label>Subject <input name="subject" required maxlength="255" autofocus></label>'
        '<label><input type="checkbox" name="admin"> Administrator (the admin group)</label>'
        "<button>Sign in</button></form>"
        if form
        else alert
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<title>Local issuer: sign in</title><style>body{font:16px system-ui;margin:3rem auto;"
        "max-width:28rem}label{display:block;margin:1rem 0}[role=alert]{color:#b00020}</style>"
        f"</head><body><h1>Local issuer</h1>{body}</body></html>"
    ).encode()
