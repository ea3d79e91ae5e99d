"""The local token issuer of `make run`: an RSA signing key made on first use in an ignored
folder, the JWKS and OpenID discovery document that publish it, tokens signed with it
(`make token`), and the verifier the local app checks every bearer token with, as API
Gateway's JWT authorizer checks them on AWS: signature by a key of the JWKS (by `kid`),
RS256 only, issuer, audience, expiry and not-before."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.types import ASGIApp, Receive, Scope, Send

from api.paths import ROOT
from api.rules.errors import Unauthenticated

if TYPE_CHECKING:
    from dev.authorization import AuthorizationServer

# The key lives here, beside the checkout, never committed (.gitignore: .local/).
KEY_FOLDER = ROOT / ".local" / "issuer"
KEY_FILE = "signing-key.pem"
AUDIENCE = "users-assets-api"
ALGORITHM = "RS256"
TOKEN_SECONDS = 3600
# API Gateway allows no clock skew beyond its own; a little keeps a fresh token usable
# when the clocks of the minting and serving processes differ by a moment.
LEEWAY_SECONDS = 5
JWKS_PATH = "/.well-known/jwks.json"
DISCOVERY_PATH = "/.well-known/openid-configuration"


def local_issuer_url(port: int | None = None) -> str:
    """The issuer of `make run` on `port` (PORT, else 8000): its base URL."""
    return f"http://127.0.0.1:{port or int(os.environ.get('PORT', '8000'))}"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _uint(value: int) -> str:
    return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def jwk_thumbprint(jwk: Mapping[str, str]) -> str:
    """The RFC 7638 thumbprint of an RSA public JWK: SHA-256 of its required members."""
    required = {name: jwk[name] for name in ("e", "kty", "n")}
    canonical = json.dumps(required, sort_keys=True, separators=(",", ":"))
    return _b64url(hashlib.sha256(canonical.encode()).digest())


@dataclass(frozen=True)
class SigningKey:
    """An RSA private key and its `kid`, the RFC 7638 thumbprint of its public JWK."""

    private_key: rsa.RSAPrivateKey

    @property
    def public_jwk(self) -> dict[str, str]:
        numbers = self.private_key.public_key().public_numbers()
        return {"e": _uint(numbers.e), "kty": "RSA", "n": _uint(numbers.n)}

    @property
    def kid(self) -> str:
        return jwk_thumbprint(self.public_jwk)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def load_or_create(cls, folder: Path = KEY_FOLDER) -> SigningKey:
        """The key in `folder`, made there (readable by its owner only) if there is none.
        Two processes making it at once keep the first one written."""
        path = folder / KEY_FILE
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            pem = cls.generate().private_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(descriptor, "wb") as file:
                    file.write(pem)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{path} does not hold an RSA private key")
        return cls(key)


class LocalIssuer:
    """Signs tokens for `issuer` and `audience` with `key`, and publishes the key."""

    def __init__(self, key: SigningKey, issuer: str, audience: str = AUDIENCE) -> None:
        self.key = key
        self.issuer = issuer
        self.audience = audience

    def jwks(self) -> dict[str, Any]:
        jwk = {**self.key.public_jwk, "kid": self.key.kid, "alg": ALGORITHM, "use": "sig"}
        return {"keys": [jwk]}

    def discovery(self) -> dict[str, Any]:
        """The OpenID Provider Metadata an OIDC client looks its keys up in."""
        return {
            "issuer": self.issuer,
            "jwks_uri": self.issuer + JWKS_PATH,
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
        }

    def token(
        self,
        subject: str,
        *,
        admin: bool = False,
        lifetime: int = TOKEN_SECONDS,
        now: float | None = None,
        **claims: Any,
    ) -> str:
        """A token naming `subject`, in the `admin` group if asked, valid from `now` for
        `lifetime` seconds; `claims` add to or replace the standard ones."""
        issued = int(time.time() if now is None else now)
        payload = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": issued,
            "nbf": issued,
            "exp": issued + lifetime,
            "token_use": "access",
            **({"cognito:groups": ["admin"]} if admin else {}),
            **claims,
        }
        return jwt.encode(payload, self.key.private_key, ALGORITHM, headers={"kid": self.key.kid})

    def verifier(self) -> TokenVerifier:
        return TokenVerifier(self.jwks(), issuer=self.issuer, audience=self.audience)


class TokenVerifier:
    """Checks a bearer token against a JWKS, an issuer and an audience; answers its claims
    or raises Unauthenticated saying why it is refused."""

    def __init__(self, jwks: Mapping[str, Any], *, issuer: str, audience: str) -> None:
        self._keys = {key["kid"]: jwt.PyJWK(dict(key)) for key in jwks["keys"]}
        self.issuer = issuer
        self.audience = audience

    def __call__(self, token: str, _scope: Scope | None = None) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:  # not a JWT, or a header PyJWT refuses
            raise Unauthenticated("The bearer token is not a JWT this API can read.") from exc
        if header.get("alg") != ALGORITHM:
            raise Unauthenticated(f"The token must be signed with {ALGORITHM}.")
        kid = header.get("kid")
        key = self._keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise Unauthenticated("The token is signed with a key this issuer does not publish.")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("The token has expired.") from exc
        except jwt.ImmatureSignatureError as exc:
            raise Unauthenticated("The token is not valid yet.") from exc
        except jwt.InvalidIssuerError as exc:
            raise Unauthenticated("The token is of another issuer.") from exc
        except jwt.InvalidAudienceError as exc:
            raise Unauthenticated("The token is for another audience.") from exc
        except jwt.InvalidSignatureError as exc:
            raise Unauthenticated("The token's signature does not verify.") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthenticated(f"The token lacks the {exc.claim} claim.") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated("The token is not valid.") from exc
        return claims


class IssuerMiddleware:
    """Serves the issuer's JWKS and discovery document beside the app, as an OIDC issuer
    publishes them, and with `authorization` its sign-in for browsers."""

    def __init__(
        self,
        app: ASGIApp,
        issuer: LocalIssuer,
        *,
        authorization: AuthorizationServer | None = None,
    ) -> None:
        self.app = app
        discovery = issuer.discovery()
        self.endpoints: dict[str, ASGIApp] = {}
        if authorization is not None:
            discovery.update(authorization.metadata())
            self.endpoints = {path: authorization for path in authorization.paths}
        self.documents = {
            JWKS_PATH: json.dumps(issuer.jwks()).encode(),
            DISCOVERY_PATH: json.dumps(discovery).encode(),
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = self.endpoints.get(scope.get("path", "")) if scope["type"] == "http" else None
        if endpoint is not None:
            await endpoint(scope, receive, send)
            return
        body = self.documents.get(scope.get("path", "")) if scope["type"] == "http" else None
        if body is None or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"max-age=300"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        body = b"" if scope["method"] == "HEAD" else body
        await send({"type": "http.response.body", "body": body})


def local_issuer(port: int | None = None, folder: Path = KEY_FOLDER) -> LocalIssuer:
    """The issuer of `make run` and `make token` in this checkout."""
    return LocalIssuer(SigningKey.load_or_create(folder), local_issuer_url(port))
