"""The users operations Connexion calls: each unpacks its arguments, makes one service call
and shapes the answer."""

from __future__ import annotations

from typing import Any

from connexion import request
from starlette.responses import Response

from api.rules.timestamps import format_millis, format_seconds
from api.users.service import User, UserQuery, UserService
from api.web.idempotency import IdempotentRequests, Outcome, idempotency_key, response
from api.web.identity import caller
from api.web.responses import JSON, Operation, no_content


def user_json(user: User) -> dict[str, Any]:
    body: dict[str, Any] = {
        "userId": user.user_id,
        "email": user.email,
        "name": user.name,
        "createdAt": format_millis(user.created_at),
        "updatedAt": format_millis(user.updated_at),
    }
    if user.department is not None:
        body["department"] = user.department
    if user.subject is not None:
        body["subject"] = user.subject
    if user.expires_at is not None:
        body["expiresAt"] = format_seconds(user.expires_at)
    return body


def user_operations(users: UserService, idempotency: IdempotentRequests) -> dict[str, Operation]:
    """The users operations of openapi.yaml, by operationId."""

    def created(body: dict[str, Any]) -> Outcome:
        user = users.create(
            caller(),
            body["email"],
            body["name"],
            body.get("department"),
            body.get("expiresAt"),
            subject=body.get("subject"),
        )
        headers = {**JSON, "Location": f"/users/{user.user_id}", "ETag": user.etag}
        return Outcome(user_json(user), 201, headers)

    def create_user(body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        key = idempotency_key(request.headers.get("idempotency-key"))
        outcome, replayed = idempotency.run(
            "createUser", caller(), key, body, lambda: created(body)
        )
        if replayed:
            users.confirm_replay(caller(), outcome.body["userId"])
        return response(outcome, replayed)

    def list_users(
        limit: int = 20,
        cursor: str | None = None,
        email: str | None = None,
        department: str | None = None,
    ) -> tuple[dict[str, Any], int, dict[str, str]]:
        page = users.list(caller(), UserQuery(email=email, department=department), limit, cursor)
        body = {"items": [user_json(u) for u in page.items], "nextCursor": page.next_cursor}
        return body, 200, JSON

    def get_user(user_id: str) -> tuple[dict[str, Any], int, dict[str, str]]:
        user = users.get(caller(), user_id)
        return user_json(user), 200, {**JSON, "ETag": user.etag}

    def update_user(
        user_id: str, body: dict[str, Any]
    ) -> tuple[dict[str, Any], int, dict[str, str]]:
        user = users.update(
            caller(),
            user_id,
            body,
            request.headers.get("if-match"),
            if_none_match=request.headers.get("if-none-match"),
        )
        return user_json(user), 200, {**JSON, "ETag": user.etag}

    def delete_user(user_id: str) -> Response:
        users.delete(
            caller(),
            user_id,
            request.headers.get("if-match"),
            if_none_match=request.headers.get("if-none-match"),
        )
        return no_content()

    return {
        "createUser": create_user,
        "listUsers": list_users,
        "getUser": get_user,
        "updateUser": update_user,
        "deleteUser": delete_user,
    }
