"""GET /health: the operation that answers while the process can serve."""

from __future__ import annotations

from api.web.responses import JSON


def get_health() -> tuple[dict[str, str], int, dict[str, str]]:
    return {"status": "ok"}, 200, JSON
