"""Who is calling, for Connexion's security layer: the spec's bearer scheme verified by an
authenticator given to the app, and the caller of the request being served.

On Lambda, API Gateway's JWT authorizer has verified the token before the function runs:
the authenticator reads the claims it passed on and never verifies them again. Locally, the
authenticator verifies the token itself (dev/issuer.py)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import structlog
from connexion.context import context
from connexion.lifecycle import ConnexionRequest
from connexion.security import BearerSecurityHandler
from starlette.types import Scope

from api.rules.errors import Unauthenticated
from api.rules.principal import Principal, principal_from_claims

# The claims of a verified token, from its bearer value and the request's ASGI scope;
# Unauthenticated if there are none to be had.
Authenticator = Callable[[str, Scope], Mapping[str, Any]]

_PRINCIPAL = "principal"
_accepts_kwarg_of = BearerSecurityHandler._accepts_kwarg
NO_TOKEN = "The request needs a bearer token: send Authorization: Bearer <token>."  # noqa: S105


def gateway_claims(_token: str, scope: Scope) -> Mapping[str, Any]:
    """The claims API Gateway's authorizer verified: an HTTP API's JWT authorizer's
    (requestContext.authorizer.jwt.claims), or a REST API's Cognito authorizer's
    (requestContext.authorizer.claims). A request without them did not pass an authorizer:
    refused, so that a route left unprotected fails closed."""
    event = scope.get("aws.event") or {}
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    jwt = authorizer.get("jwt") if isinstance(authorizer, dict) else None
    claims = (jwt if isinstance(jwt, dict) else authorizer).get("claims")
    if not isinstance(claims, dict):
        structlog.get_logger("api.identity").error("no_authorizer_claims")
        raise Unauthenticated("The token was not verified by the API's authorizer.")
    return claims


def security_map(
    authenticate: Authenticator, *, admin_claim: str, admin_group: str
) -> dict[str, type[BearerSecurityHandler]]:
    """Connexion's handler of the spec's `http` `bearer` scheme: the token verified by
    `authenticate`, the caller it names kept for the operations and bound to the log line
    (its subject only: never the token nor another claim)."""

    def principal_of(token: str, request: ConnexionRequest) -> dict[str, Any]:
        claims = authenticate(token, request.scope)
        principal = principal_from_claims(claims, admin_claim=admin_claim, admin_group=admin_group)
        structlog.contextvars.bind_contextvars(caller=principal.subject)
        return {"sub": principal.subject, _PRINCIPAL: principal}

    class VerifiedBearer(BearerSecurityHandler):  # type: ignore[misc]
        # Connexion inspects the function's signature twice on every request to learn
        # which keywords it takes (about 5 % of a warm request, measured): once here.
        _accepts_kwarg = staticmethod(functools.lru_cache(maxsize=8)(_accepts_kwarg_of))

        def _resolve_func(self, _security_scheme: Mapping[str, Any]) -> Callable[..., Any]:
            return principal_of

    return {"bearer": VerifiedBearer}


def principal_in(scope: Scope) -> Principal | None:
    """The caller the security layer authenticated for this request, if it did."""
    token_info = scope.get("extensions", {}).get("connexion_context", {}).get("token_info")
    principal = token_info.get(_PRINCIPAL) if isinstance(token_info, dict) else None
    return principal if isinstance(principal, Principal) else None


def caller() -> Principal:
    """The caller of the operation being served (every secured operation has one)."""
    principal = context["token_info"][_PRINCIPAL]
    assert isinstance(principal, Principal)
    return principal
