"""Small HTTP rules shared by the operations: the JSON content type and If-Match."""

from __future__ import annotations

from starlette.responses import Response

# Operations that also declare problem+json responses must name their content type.
JSON = {"Content-Type": "application/json"}


def no_content() -> Response:
    """A 204 without a Content-Type (Connexion would give a bodiless answer the only media
    type its operation declares: problem+json)."""
    return Response(status_code=204)


def if_match_allows(header: str | None, etag: str) -> bool:
    """True when a request with this If-Match header may change a resource tagged `etag`
    (RFC 9110 section 13.1.1)."""
    if header is None:
        return True
    candidates = [tag.strip() for tag in header.split(",")]
    # Strong comparison: a weak tag (W/"...") never matches.
    return "*" in candidates or etag in candidates
