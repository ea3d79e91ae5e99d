"""Assertions on problem+json responses."""

from __future__ import annotations

from typing import Any

import httpx

# Every status the API may answer a client's mistake with, as the spec declares them.
PROBLEM_STATUSES = {400, 404, 405, 409, 412, 413, 415, 422, 431}


def assert_problem(response: httpx.Response, status: int, detail_part: str = "") -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status, carrying the request id."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "requestId"}
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["requestId"] == response.headers["x-request-id"]
    assert detail_part in body["detail"]
    assert "Traceback" not in body["detail"]
    return body
