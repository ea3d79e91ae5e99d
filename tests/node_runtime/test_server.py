"""`make run RUNTIME=node`: the TypeScript functions behind the emulated API Gateway, on the
port, emulator and issuer of `make run`."""

from __future__ import annotations

import httpx

from api.web.docs import DOCUMENT_PATHS
from tests.local_server import local_server
from tests.typescript import require_bundle


def test_the_server_with_runtime_node_answers_as_api_gateway_in_front_of_the_functions():
    require_bundle()
    with local_server(RUNTIME="node") as server:
        health = httpx.get(f"{server.url}/health")
        anonymous = httpx.get(f"{server.url}/users")
        unknown = httpx.get(f"{server.url}/nowhere")
        preflight = httpx.options(
            f"{server.url}/users",
            headers={
                "Origin": server.web_url,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        jwks = httpx.get(f"{server.url}/.well-known/jwks.json")
        documents = [httpx.get(f"{server.url}{path}") for path in DOCUMENT_PATHS]
        swagger_ui = httpx.get(f"{server.url}/ui")
        with server.client("ada", admin=False) as ada:
            page = ada.get("/users", headers={"Origin": server.web_url})

    assert health.status_code == 200
    assert (anonymous.status_code, anonymous.json()) == (401, {"message": "Unauthorized"})
    assert (unknown.status_code, unknown.json()) == (404, {"message": "Not Found"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == server.web_url
    assert jwks.json()["keys"]
    assert [document.status_code for document in documents] == [200] * len(DOCUMENT_PATHS)
    assert swagger_ui.status_code == 404  # the Python app's own page; API Gateway has no route
    # Not an administrator: the function sees the verified claims, and refuses the listing.
    assert page.status_code == 403, page.text
    assert page.headers["content-type"] == "application/problem+json"
    assert page.headers["access-control-allow-origin"] == server.web_url
