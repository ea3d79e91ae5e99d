"""The callers of the tests with their tokens: a test issuer (dev/issuer.py, with a key made
for this test session), the verifier the local app checks them with, and, from
tests/claims.py, the claims API Gateway's JWT authorizer passes to a function once it has
verified one."""

from __future__ import annotations

from typing import Any

from dev.issuer import LocalIssuer, SigningKey
from tests.claims import (
    ADMIN,
    ADMIN_CALLER,
    ALICE,
    ALICE_CALLER,
    AUDIENCE,
    BOB,
    BOB_CALLER,
    ISSUER_URL,
    authorizer_claims,
)

__all__ = [
    "ADMIN",
    "ADMIN_CALLER",
    "ALICE",
    "ALICE_CALLER",
    "BOB",
    "BOB_CALLER",
    "ISSUER",
    "authorizer_claims",
    "bearer",
    "token",
    "verify",
]

ISSUER = LocalIssuer(SigningKey.generate(), ISSUER_URL, AUDIENCE)
verify = ISSUER.verifier()


def token(subject: str = ADMIN, *, admin: bool | None = None, **claims: Any) -> str:
    """A valid token of the test issuer for `subject` (an administrator if it is ADMIN,
    unless `admin` says otherwise)."""
    return ISSUER.token(subject, admin=subject == ADMIN if admin is None else admin, **claims)


def bearer(subject: str = ADMIN, *, admin: bool | None = None) -> dict[str, str]:
    """The Authorization header of a request made by `subject`."""
    return {"Authorization": f"Bearer {token(subject, admin=admin)}"}
