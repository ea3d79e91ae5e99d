"""Who is calling: the principal a verified token names, and the one rule of who may see
what. The principal is an input of every service call; nothing keeps it in a global."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api.rules.errors import Forbidden, Unauthenticated

# openapi.yaml's Subject schema: visible text of at most 255 characters.
SUBJECT_MAX_LENGTH = 255
_INVISIBLE = (
    r"\x00-\x1F\x7F-\x9F\u00AD\u061C\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064"
    r"\u2066-\u206F\uFEFF"
)
SUBJECT_PATTERN = rf"^[^{_INVISIBLE}]*[^\s{_INVISIBLE}][^{_INVISIBLE}]*$"
_SUBJECT = re.compile(SUBJECT_PATTERN)


@dataclass(frozen=True)
class Principal:
    """A caller: the `sub` of its token, and whether it is an administrator."""

    subject: str
    admin: bool = False

    def may_see(self, owner: str | None) -> bool:
        """Whether this caller may see what `owner` owns (or describes): its own, or, for an
        administrator, anything. What it may not see does not exist for it (404, never 403:
        no answer tells a resource of another caller from one that never was)."""
        return self.admin or (owner is not None and owner == self.subject)

    def require_admin(self, action: str) -> None:
        """Forbidden unless this caller is an administrator; `action` completes "may ..."."""
        if not self.admin:
            raise Forbidden(f"Only administrators may {action}.")


def is_subject(value: object) -> bool:
    """Whether `value` can name a caller: openapi.yaml's Subject."""
    if not isinstance(value, str) or len(value) > SUBJECT_MAX_LENGTH:
        return False
    return _SUBJECT.fullmatch(value) is not None


def principal_from_claims(
    claims: Mapping[str, Any], *, admin_claim: str, admin_group: str
) -> Principal:
    """The caller that verified `claims` name: their `sub`; an administrator if `admin_group`
    is among the groups of `admin_claim`. The claim is a list in a token and, in API
    Gateway's authorizer context, the same list flattened to a string such as "[admin ops]"
    (Cognito's group names hold no spaces, so the flattening is unambiguous there). Any other
    value names no group. Unauthenticated if the token names no usable subject."""
    subject = claims.get("sub")
    if not is_subject(subject):
        raise Unauthenticated("The token names no subject this API can use.")
    assert isinstance(subject, str)
    return Principal(subject, admin=admin_group in _groups(claims.get(admin_claim)))


def _groups(claim: object) -> list[str]:
    if isinstance(claim, list):
        return [group for group in claim if isinstance(group, str)]
    if isinstance(claim, str) and claim.startswith("[") and claim.endswith("]"):
        return claim[1:-1].split(" ")
    return []
