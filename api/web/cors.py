"""CORS in the app itself (locally; on AWS API Gateway answers it): Starlette's, with its
refusals as problems like every other error."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from api.web.problems import PROBLEM_JSON, problem_document


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS middleware; a preflight it refuses (an origin, method or header the
    API does not allow) is a 403 problem, not a text/plain 400."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        refused = bytes(response.body).decode().removeprefix("Disallowed CORS ")
        headers = {
            k: v for k, v in response.headers.items() if k not in ("content-type", "content-length")
        }
        return Response(
            problem_document(403, f"This cross-origin request is not allowed: its {refused}."),
            status_code=403,
            headers=headers,
            media_type=PROBLEM_JSON,
        )
