"""What the operations of every feature share: their type, the JSON content type and the
empty 204."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

# A function Connexion calls for an operationId of the spec.
Operation = Callable[..., Any]

# Operations that also declare problem+json responses must name their content type.
JSON = {"Content-Type": "application/json"}


def no_content() -> Response:
    """A 204 without a Content-Type (Connexion would give a bodiless answer the only media
    type its operation declares: problem+json)."""
    return Response(status_code=204)
