"""Entity tags: which versions a conditional request allows a change to."""

from __future__ import annotations


def etag_of(version: int) -> str:
    """The strong entity tag of a resource's version: "3"."""
    return f'"{version}"'


def if_match_allows(header: str | None, etag: str) -> bool:
    """True when a request with this If-Match header may change a resource tagged `etag`
    (RFC 9110 section 13.1.1)."""
    if header is None:
        return True
    candidates = [tag.strip() for tag in header.split(",")]
    # Strong comparison: a weak tag (W/"...") never matches.
    return "*" in candidates or etag in candidates
