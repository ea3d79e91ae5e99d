"""The callers of the tests: tokens of a test issuer (dev/issuer.py, with a key made for this
test session), the verifier the local app checks them with, and the claims API Gateway's
JWT authorizer passes to a function once it has verified one."""

from __future__ import annotations

import time
from typing import Any

from api.rules.principal import Principal
from dev.issuer import LocalIssuer, SigningKey

ISSUER = LocalIssuer(SigningKey.generate(), "https://issuer.example.test")
verify = ISSUER.verifier()

# Two callers and an administrator. The tests' default caller is the administrator, who may
# do everything; the ownership tests name the others.
ADMIN = "admin-7f3a"
ALICE = "alice-2c9e"
BOB = "bob-5d41"


def token(subject: str = ADMIN, *, admin: bool | None = None, **claims: Any) -> str:
    """A valid token of the test issuer for `subject` (an administrator if it is ADMIN,
    unless `admin` says otherwise)."""
    return ISSUER.token(subject, admin=subject == ADMIN if admin is None else admin, **claims)


def bearer(subject: str = ADMIN, *, admin: bool | None = None) -> dict[str, str]:
    """The Authorization header of a request made by `subject`."""
    return {"Authorization": f"Bearer {token(subject, admin=admin)}"}


def authorizer_claims(subject: str = ADMIN, *, admin: bool | None = None) -> dict[str, str]:
    """What API Gateway's JWT authorizer puts in requestContext.authorizer.jwt.claims: the
    token's claims as strings, a list flattened to "[a b]"."""
    issued = int(time.time())
    is_admin = subject == ADMIN if admin is None else admin
    return {
        "iss": ISSUER.issuer,
        "aud": ISSUER.audience,
        "sub": subject,
        "iat": str(issued),
        "exp": str(issued + 3600),
        **({"cognito:groups": "[admin]"} if is_admin else {}),
    }


# The principals the services are given: what the security layer makes of those tokens.
ADMIN_CALLER = Principal(ADMIN, admin=True)
ALICE_CALLER = Principal(ALICE)
BOB_CALLER = Principal(BOB)
