"""The callers of the tests as API Gateway's JWT authorizer names them to a function: their
subjects, the claims it passes on, and the principals the services are given. No JWT
library here (tests/identity.py signs their tokens), so that the benchmark's Lambda-like
bundle, which has none, makes its events from this too."""

from __future__ import annotations

import time

from api.rules.principal import Principal

ISSUER_URL = "https://issuer.example.test"
AUDIENCE = "tests-api"

# Two callers and an administrator. The tests' default caller is the administrator, who may
# do everything; the ownership tests name the others.
ADMIN = "admin-7f3a"
ALICE = "alice-2c9e"
BOB = "bob-5d41"


def authorizer_claims(subject: str = ADMIN, *, admin: bool | None = None) -> dict[str, str]:
    """What API Gateway's JWT authorizer puts in requestContext.authorizer.jwt.claims: the
    token's claims as strings, a list flattened to "[a b]"."""
    issued = int(time.time())
    is_admin = subject == ADMIN if admin is None else admin
    return {
        "iss": ISSUER_URL,
        "aud": AUDIENCE,
        "sub": subject,
        "iat": str(issued),
        "exp": str(issued + 3600),
        **({"cognito:groups": "[admin]"} if is_admin else {}),
    }


# The principals the services are given: what the security layer makes of those tokens.
ADMIN_CALLER = Principal(ADMIN, admin=True)
ALICE_CALLER = Principal(ALICE)
BOB_CALLER = Principal(BOB)
