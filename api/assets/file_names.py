"""Safe storage names for files whose names come from clients."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

MAX_KEY_NAME = 100
FALLBACK_NAME = "file"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_PATH_SEPARATORS = re.compile(r"[/\\]")


def base_name(name: str) -> str:
    """The name in NFC, without any directory part or control and format characters."""
    name = _PATH_SEPARATORS.split(unicodedata.normalize("NFC", name))[-1]
    return "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))


def safe_file_name(name: str) -> str:
    """A basename made only of [A-Za-z0-9._-] with at least one letter or digit, at most
    MAX_KEY_NAME characters, never starting with a dot (so never "." or ".."), keeping
    the extension; FALLBACK_NAME when nothing is left."""
    name = base_name(name)
    # Accented letters keep their base letter (é -> e); anything else unsafe becomes "_".
    decomposed = unicodedata.normalize("NFKD", name)
    name = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    name = _UNSAFE.sub("_", name).lstrip(".")
    if len(name) > MAX_KEY_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            name = stem[: MAX_KEY_NAME - len(extension) - 1] + "." + extension
        else:
            name = name[:MAX_KEY_NAME]
    return name if any(ch.isalnum() for ch in name) else FALLBACK_NAME


def content_disposition(file_name: str) -> str:
    """`attachment` with an ASCII fallback name and the original base name as RFC 6266 /
    RFC 8187 `filename*`, so browsers save the file under its original name; a base name
    without a letter or digit (".", "..", "...") is no name, and the fallback stands for it."""
    fallback = safe_file_name(file_name)
    original = base_name(file_name)
    if not any(ch.isalnum() for ch in original):
        original = fallback
    original = quote(original, safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{original}"
