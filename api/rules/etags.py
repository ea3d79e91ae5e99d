"""Entity tags: which versions a conditional request (RFC 9110 section 13.1) applies to."""

from __future__ import annotations

import re

# RFC 9110 section 8.8.3: `*`, or entity tags ("3", W/"3") separated by commas.
_TAG = r'(W/)?"[\x21\x23-\x7E]*"'
_ENTITY_TAGS = re.compile(rf"[ \t]*(\*|{_TAG}([ \t]*,[ \t]*{_TAG})*)[ \t]*")


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


def _opaque(tag: str) -> str:
    return tag.removeprefix("W/")


def if_none_match_allows(header: str | None, etag: str) -> bool:
    """True unless If-None-Match names the resource's current tag `etag` or is `*`: what a
    GET answers with 304 and a change with 412 (weak comparison, section 13.1.2)."""
    if header is None:
        return True
    candidates = [tag.strip() for tag in header.split(",")]
    return "*" not in candidates and _opaque(etag) not in {_opaque(tag) for tag in candidates}


def is_entity_tag_list(header: str) -> bool:
    """Whether `header` is `*` or a list of entity tags, as RFC 9110 writes them."""
    return _ENTITY_TAGS.fullmatch(header) is not None
