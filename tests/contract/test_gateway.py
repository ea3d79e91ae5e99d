"""The emulated API Gateway (dev/gateway.py) that the Lambda targets of the contract suite and
`make run RUNTIME=node` go through."""

from __future__ import annotations

import base64
import json
from typing import Any

from starlette.testclient import TestClient

from dev.gateway import Cors, HttpApiGateway
from dev.gateway_app import GatewayApp
from tests.contract.gateway import BASE_URL, gateway_session
from tests.identity import ALICE, ISSUER, bearer, verify


class RecordingFunction:
    """A Lambda handler that keeps the events it is given and answers 200 with a JSON body."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(event)
        return {
            "statusCode": 200,
            "headers": {"content-type": "application/json"},
            "body": json.dumps({"function": context.function_name}),
            "cookies": ["a=1"],
        }


def test_each_operation_reaches_the_function_of_its_tag_as_a_payload_2_event():
    users, assets = RecordingFunction(), RecordingFunction()
    session = gateway_session({"UsersFunction": users, "AssetsFunction": assets})

    response = session.patch(
        f"{BASE_URL}/users/42?x=1&x=2",
        json={"name": "Ada"},
        headers={"If-Match": '"1"', "Cookie": "c=3; d=4", **bearer(ALICE)},
    )

    assert response.status_code == 200
    assert response.json() == {"function": "UsersFunction"}
    assert response.headers["set-cookie"] == "a=1"
    assert assets.events == []
    [event] = users.events
    assert event["version"] == "2.0"
    assert event["routeKey"] == event["requestContext"]["routeKey"] == "PATCH /users/{userId}"
    assert event["rawPath"] == "/users/42"
    assert event["rawQueryString"] == "x=1&x=2"
    assert event["queryStringParameters"] == {"x": "1,2"}
    assert event["pathParameters"] == {"userId": "42"}
    assert event["headers"]["if-match"] == '"1"'
    assert event["cookies"] == ["c=3", "d=4"]
    assert json.loads(base64.b64decode(event["body"])) == {"name": "Ada"}
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    assert (claims["sub"], claims["iss"]) == (ALICE, ISSUER.issuer)
    download = session.get(f"{BASE_URL}/assets/42/download", headers=bearer(ALICE))
    assert download.json() == {"function": "AssetsFunction"}


def test_a_secured_route_without_a_valid_token_is_refused_by_the_authorizer():
    users, assets = RecordingFunction(), RecordingFunction()
    session = gateway_session({"UsersFunction": users, "AssetsFunction": assets})

    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic x"}):
        response = session.get(f"{BASE_URL}/users", headers=headers)
        assert response.status_code == 401
        assert response.json() == {"message": "Unauthorized"}
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert session.get(f"{BASE_URL}/health").status_code == 200
    assert session.options(f"{BASE_URL}/users").status_code == 200  # preflights need none
    assert [event["rawPath"] for event in users.events] == ["/health", "/users"]


def test_a_request_without_a_route_is_answered_by_the_gateway_itself():
    users, assets = RecordingFunction(), RecordingFunction()
    session = gateway_session({"UsersFunction": users, "AssetsFunction": assets})

    for method, path in [("GET", "/nowhere"), ("GET", "/users/1/2"), ("POST", "/health/x")]:
        response = session.request(method, f"{BASE_URL}{path}")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/json"
        assert response.json() == {"message": "Not Found"}
    assert users.events == assets.events == []


def test_a_method_the_spec_lacks_on_a_known_path_goes_to_the_paths_function():
    users, assets = RecordingFunction(), RecordingFunction()
    session = gateway_session({"UsersFunction": users, "AssetsFunction": assets})

    auth = bearer(ALICE)
    assert session.put(f"{BASE_URL}/users", headers=auth).json() == {"function": "UsersFunction"}
    traced = session.request("TRACE", f"{BASE_URL}/assets", headers=auth)
    assert traced.json() == {"function": "AssetsFunction"}
    assert [event["routeKey"] for event in users.events + assets.events] == [
        "ANY /users",
        "ANY /assets",
    ]


def test_with_cors_the_gateway_answers_preflights_itself_and_sets_the_cors_headers():
    users, assets = RecordingFunction(), RecordingFunction()
    origin = "http://localhost:3000"
    cors = Cors.of([origin])
    session = gateway_session({"UsersFunction": users, "AssetsFunction": assets}, cors=cors)
    asked = {"Origin": origin, "Access-Control-Request-Method": "POST"}

    allowed = session.options(
        f"{BASE_URL}/users", headers={**asked, "Access-Control-Request-Headers": "If-Match"}
    )
    refused = session.options(
        f"{BASE_URL}/users", headers={**asked, "Origin": "https://evil.example"}
    )
    answered = session.get(f"{BASE_URL}/users", headers={"Origin": origin, **bearer(ALICE)})

    assert allowed.status_code == refused.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == origin
    assert "POST" in allowed.headers["access-control-allow-methods"].split(",")
    assert "if-match" in allowed.headers["access-control-allow-headers"].split(",")
    assert allowed.headers["access-control-max-age"] == str(cors.max_age)
    assert not any(name.startswith("access-control-") for name in refused.headers)
    assert [event["rawPath"] for event in users.events] == ["/users"]
    assert answered.headers["access-control-allow-origin"] == origin
    assert answered.headers["access-control-expose-headers"] == ",".join(cors.expose_headers)


def test_the_gateway_over_http_passes_the_callers_address_and_joins_repeated_headers():
    users = RecordingFunction()
    app = GatewayApp(HttpApiGateway({"UsersFunction": users}, verify), on_shutdown=lambda: None)

    with TestClient(app, base_url="http://127.0.0.1:8000", client=("192.0.2.7", 5000)) as client:
        response = client.get(
            "/users/7?a=b", headers=[("X-Many", "1"), ("X-Many", "2"), *bearer(ALICE).items()]
        )

    assert response.status_code == 200
    assert response.headers.get_list("set-cookie") == ["a=1"]
    [event] = users.events
    assert event["requestContext"]["http"]["sourceIp"] == "192.0.2.7"
    assert event["headers"]["x-many"] == "1,2"
    assert (event["rawPath"], event["rawQueryString"]) == ("/users/7", "a=b")
    assert event["routeKey"] == "GET /users/{userId}"
