"""Test doubles that subclass the interfaces they replace."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api.errors import ConcurrentChange, EmailTaken, InvalidCursor, NotFound
from api.users import User, UserQuery, UserRepository


@dataclass
class FakeClock:
    """A clock that only moves when told to."""

    now: float = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class InMemoryUserRepository(UserRepository):
    """Users in a dict, with the same uniqueness, version and expiry rules as DynamoDB's."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self._lock = threading.Lock()

    def _email_owner(self, email: str, now_s: int) -> User | None:
        return next((u for u in self.users.values() if u.email == email and u.is_live(now_s)), None)

    def add(self, user: User, now_s: int) -> None:
        with self._lock:
            if self._email_owner(user.email, now_s):
                raise EmailTaken("Another user already has this email.")
            self.users[user.user_id] = user

    def get(self, user_id: str, now_s: int) -> User:
        user = self.users.get(user_id)
        if user is None or not user.is_live(now_s):
            raise NotFound("There is no user with this id.")
        return user

    def replace(self, current: User, new: User, now_s: int) -> None:
        with self._lock:
            if self.users.get(current.user_id) != current or not current.is_live(now_s):
                raise ConcurrentChange("changed")
            owner = self._email_owner(new.email, now_s)
            if owner is not None and owner.user_id != new.user_id:
                raise EmailTaken("Another user already has this email.")
            self.users[new.user_id] = new

    def remove(self, current: User, now_s: int) -> None:
        with self._lock:
            if self.users.get(current.user_id) != current:
                raise ConcurrentChange("changed")
            del self.users[current.user_id]

    def find(
        self, query: UserQuery, limit: int, after: Mapping[str, Any] | None, now_s: int
    ) -> tuple[list[User], dict[str, Any] | None]:
        users = sorted(
            (
                u
                for u in self.users.values()
                if u.is_live(now_s)
                and query.email in (None, u.email)
                and query.department in (None, u.department)
            ),
            key=lambda u: (u.created_at, u.user_id),
            reverse=True,
        )
        if after is not None:
            if set(after) != {"userId", "createdAt"}:
                raise InvalidCursor("The cursor is not one this API issued.")
            mark = (after["createdAt"], after["userId"])
            users = [u for u in users if (u.created_at, u.user_id) < mark]
        if len(users) <= limit:
            return users, None
        last = users[limit - 1]
        return users[:limit], {"userId": last.user_id, "createdAt": last.created_at}
