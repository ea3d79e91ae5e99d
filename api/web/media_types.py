"""Media types as RFC 9110 (section 8.3.1) writes them: type and subtype, then parameters,
case-insensitive but for parameter values, with optional white space around the `;`."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TCHARS = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = r'"(?:[^"\\\x00-\x08\x0A-\x1F\x7F]|\\[\x09\x20-\x7E\x80-\xFF])*"'
_PARAMETERS = rf"(?:;[ \t]*(?:{_TCHARS}=(?:{_TCHARS}|{_QUOTED}))?[ \t]*)*"
_MEDIA_TYPE = re.compile(rf"[ \t]*({_TCHARS})/({_TCHARS})[ \t]*({_PARAMETERS})")
_PARAMETER = re.compile(rf"({_TCHARS})=({_TCHARS}|{_QUOTED})")


@dataclass(frozen=True)
class MediaType:
    """A parsed media type: lower-cased type and parameter names, unquoted values."""

    essence: str  # "application/json"
    parameters: tuple[tuple[str, str], ...]

    def parameter(self, name: str) -> str | None:
        return next((value for key, value in self.parameters if key == name), None)

    def __str__(self) -> str:
        # No white space around ";": Connexion reads a charset only when it starts its part.
        return "".join(
            [self.essence, *(f";{key}={_quote(value)}" for key, value in self.parameters)]
        )


def _quote(value: str) -> str:
    if re.fullmatch(_TCHARS, value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(value: str) -> str:
    if not value.startswith('"'):
        return value
    return re.sub(r"\\(.)", r"\1", value[1:-1])


def parse_media_type(value: str) -> MediaType | None:
    """The media type of a Content-Type header value, or None if it is not one."""
    match = _MEDIA_TYPE.fullmatch(value)
    if match is None:
        return None
    kind, subtype, parameters = match.groups()
    found = tuple((name.lower(), _unquote(raw)) for name, raw in _PARAMETER.findall(parameters))
    return MediaType(f"{kind.lower()}/{subtype.lower()}", found)
