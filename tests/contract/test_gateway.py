"""The emulated API Gateway that the Lambda target of the contract suite goes through."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.contract.gateway import BASE_URL, gateway_session
from tests.identity import ALICE, ISSUER, bearer


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
