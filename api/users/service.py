"""Users: the domain object, the storage interface it needs and the service holding the rules."""

from __future__ import annotations

import abc
import functools
import re
import time
import unicodedata
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import idna

from api.rules.cursors import CursorCodec
from api.rules.errors import (
    ConcurrentChange,
    CreatedResourceGone,
    InvalidRequest,
    NotFound,
    VersionMismatch,
)
from api.rules.etags import (
    etag_of,
    if_match_allows,
    if_none_match_allows,
    is_entity_tag_list,
)
from api.rules.principal import Principal
from api.rules.timestamps import parse_to_seconds

Clock = Callable[[], float]
# openapi.yaml's Email schema, which the normalized email satisfies too (a test compares).
EMAIL_MAX_LENGTH = 254
EMAIL_PATTERN = r"^[ \t]*[^\s@\x00-\x1F\x7F-\x9F\uFEFF]+@[^\s@\x00-\x1F\x7F-\x9F\uFEFF]+[ \t]*$"
_EMAIL = re.compile(EMAIL_PATTERN)
# How often a change without If-Match is retried when other writers keep winning the race.
_WRITE_ATTEMPTS = 5


@dataclass(frozen=True)
class User:
    """A user as stored; timestamps in epoch milliseconds, expiry in epoch seconds."""

    user_id: str
    email: str
    name: str
    department: str | None
    created_at: int
    updated_at: int
    expires_at: int | None
    version: int
    # The `sub` of the caller this record describes, who may read, change and delete it.
    subject: str | None = None

    @property
    def etag(self) -> str:
        return etag_of(self.version)

    def is_live(self, now_s: int) -> bool:
        """Expired users are gone, whether or not DynamoDB's TTL sweep has removed them yet."""
        return self.expires_at is None or self.expires_at > now_s


@dataclass(frozen=True)
class UserQuery:
    """The filters of a listing."""

    email: str | None = None
    department: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"email": self.email, "department": self.department}


@dataclass(frozen=True)
class UserPage:
    items: list[User]
    next_cursor: str | None


class UserRepository(abc.ABC):
    """Storage of users, keeping emails unique among live users atomically."""

    @abc.abstractmethod
    def add(self, user: User, now_s: int) -> None:
        """Store a new user; EmailTaken if a live user has its email."""

    @abc.abstractmethod
    def get(self, user_id: str, now_s: int) -> User:
        """The live user with this id (read-your-writes); NotFound otherwise."""

    @abc.abstractmethod
    def replace(self, current: User, new: User, now_s: int) -> None:
        """Write `new` over `current`; ConcurrentChange if the stored user is no longer
        `current`, EmailTaken if `new` takes a live user's email."""

    @abc.abstractmethod
    def remove(self, current: User, now_s: int) -> None:
        """Delete `current` and free its email; ConcurrentChange if it has changed."""

    @abc.abstractmethod
    def find(
        self, query: UserQuery, limit: int, after: Mapping[str, Any] | None, now_s: int
    ) -> tuple[list[User], dict[str, Any] | None]:
        """Up to `limit` live users matching `query`, newest first, starting after the
        position `after`; and the position after the last one if more may follow.
        InvalidCursor if `after` is not a position this repository produced."""


def normalize_email(email: str) -> str:
    """The one spelling of `email` that is stored, compared and looked up: trimmed of the
    spaces and tabs around it; the local part in NFC and lower-cased; the domain through
    IDNA 2008 with UTS 46 mapping, as U-labels without the root's final dot (so its A-label
    spelling, its case and its full-width forms are the same domain). InvalidRequest, naming
    the field, if that spelling no longer satisfies the schema the email was sent under."""
    local, at, domain = email.strip(" \t").rpartition("@")
    normalized = f"{_nfc(_nfc(local).lower())}{at}{_domain(domain)}"
    if len(normalized) > EMAIL_MAX_LENGTH:
        raise InvalidRequest(
            f"'email' is longer than {EMAIL_MAX_LENGTH} characters once normalized "
            "(lower-casing and IDNA mapping can lengthen it)."
        )
    if not _EMAIL.fullmatch(normalized) or not _is_utf8(normalized):
        raise InvalidRequest("'email' is not an email address once normalized.")
    return normalized


# Most addresses share a few domains, and their IDNA mapping was a tenth of a create's
# instructions (measured): kept per process, for as many domains as fit a small table.
@functools.lru_cache(maxsize=4096)
def _domain(domain: str) -> str:
    """`domain` as IDNA 2008 U-labels after UTS 46 mapping, without a final dot; a domain
    that IDNA 2008 refuses (an address literal, an underscore, a symbol) in NFC and
    lower-cased, as the schema still allows it."""
    try:
        return idna.decode(idna.encode(domain, uts46=True)).removesuffix(".")
    except UnicodeError:  # idna.IDNAError is one
        return _nfc(_nfc(domain).lower())


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _is_utf8(text: str) -> bool:
    """False for text holding a lone surrogate, which no store can hold."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


NO_SUCH_USER = "There is no user with this id."


class UserService:
    """The rules for users: normalized unique emails, expiry, conditional changes, paging;
    and who may do what: administrators anything, the caller a user's `subject` names that
    user only, anyone else nothing (a user it may not see does not exist for it)."""

    def __init__(
        self,
        repository: UserRepository,
        clock: Clock = time.time,
        *,
        cursors: CursorCodec | None = None,
    ) -> None:
        """`cursors` signs the pages' cursors with the deployment's key; without it, with a
        random key of this service's own (a service built alone, in tests and tools)."""
        self._repository = repository
        self._clock = clock
        self._cursors = cursors or CursorCodec.with_random_key()

    def _now(self) -> tuple[int, int]:
        now = self._clock()
        return int(now), int(now * 1000)

    def create(
        self,
        caller: Principal,
        email: str,
        name: str,
        department: str | None = None,
        expires_at: str | None = None,
        *,
        subject: str | None = None,
    ) -> User:
        caller.require_admin("create users")
        now_s, now_ms = self._now()
        user = User(
            user_id=str(uuid.uuid4()),
            email=normalize_email(email),
            name=name,
            department=department,
            created_at=now_ms,
            updated_at=now_ms,
            expires_at=None if expires_at is None else _future_expiry(expires_at, now_s),
            version=1,
            subject=subject,
        )
        for _ in range(_WRITE_ATTEMPTS):
            try:
                self._repository.add(user, now_s)
            except ConcurrentChange:
                continue  # Another transaction held the email's guard: try again.
            return user
        raise ConcurrentChange("The email is being claimed by other requests; try again.")

    def confirm_replay(self, caller: Principal, user_id: str) -> None:
        """CreatedResourceGone unless the user an Idempotency-Key created still lives;
        Forbidden, as the creation itself, to a caller who is no longer an administrator."""
        caller.require_admin("create users")
        try:
            self.get(caller, user_id)
        except NotFound as exc:
            raise CreatedResourceGone(
                "The user this Idempotency-Key created has been deleted since; send a new"
                " Idempotency-Key to create another."
            ) from exc

    def _visible(self, caller: Principal, user_id: str, now_s: int) -> User:
        """The live user `caller` may see; NotFound, as for no user, otherwise."""
        user = self._repository.get(user_id, now_s)
        if not caller.may_see(user.subject):
            raise NotFound(NO_SUCH_USER)
        return user

    def get(self, caller: Principal, user_id: str) -> User:
        now_s, _ = self._now()
        return self._visible(caller, user_id, now_s)

    def list(
        self, caller: Principal, query: UserQuery, limit: int, cursor: str | None = None
    ) -> UserPage:
        caller.require_admin("list users")
        now_s, _ = self._now()
        query = replace(query, email=query.email and normalize_email(query.email))
        # A cursor continues only the query, and the caller, it was issued to.
        bound = query.as_dict() | {"caller": caller.subject}
        after = None if cursor is None else self._cursors.decode(cursor, bound)
        users, position = self._repository.find(query, limit, after, now_s)
        next_cursor = None if position is None else self._cursors.encode(bound, position)
        return UserPage(items=users, next_cursor=next_cursor)

    def update(
        self,
        caller: Principal,
        user_id: str,
        changes: Mapping[str, Any],
        if_match: str | None = None,
        *,
        if_none_match: str | None = None,
    ) -> User:
        attempted: User | None = None
        for _ in range(_WRITE_ATTEMPTS):
            now_s, now_ms = self._now()
            current = self._visible(caller, user_id, now_s)
            if current == attempted:
                return current  # the write was retried after it had landed
            _check_preconditions(current, if_match, if_none_match)
            if "email" in changes and normalize_email(changes["email"]) != current.email:
                # Emails are unique: a caller trying others' would learn whose are taken.
                caller.require_admin("change a user's email")
            new = attempted = _apply(current, changes, now_s, now_ms)
            try:
                self._repository.replace(current, new, now_s)
            except ConcurrentChange:
                continue  # Re-read: the next round answers 404, 412 or tries again.
            return new
        raise ConcurrentChange("The user is being changed by other requests; try again.")

    def delete(
        self,
        caller: Principal,
        user_id: str,
        if_match: str | None = None,
        *,
        if_none_match: str | None = None,
    ) -> None:
        for _ in range(_WRITE_ATTEMPTS):
            now_s, _ = self._now()
            current = self._visible(caller, user_id, now_s)
            _check_preconditions(current, if_match, if_none_match)
            try:
                self._repository.remove(current, now_s)
            except ConcurrentChange:
                continue
            return
        raise ConcurrentChange("The user is being changed by other requests; try again.")


def _check_preconditions(user: User, if_match: str | None, if_none_match: str | None) -> None:
    """VersionMismatch unless a change to `user` meets both conditions of the request."""
    if not if_match_allows(if_match, user.etag):
        if if_match is not None and not is_entity_tag_list(if_match):
            raise VersionMismatch(
                'If-Match names no version: an entity tag is quoted, such as "3" (the ETag).'
            )
        raise VersionMismatch("The user has changed since the ETag given in If-Match.")
    if not if_none_match_allows(if_none_match, user.etag):
        raise VersionMismatch("The user has an ETag given in If-None-Match.")


def _future_expiry(value: str, now_s: int) -> int:
    expires = parse_to_seconds(value, "expiresAt")
    if expires <= now_s:
        raise InvalidRequest("'expiresAt' must lie in the future.")
    return expires


def _apply(current: User, changes: Mapping[str, Any], now_s: int, now_ms: int) -> User:
    new = current
    if "email" in changes:
        new = replace(new, email=normalize_email(changes["email"]))
    if "name" in changes:
        new = replace(new, name=changes["name"])
    if "department" in changes:
        new = replace(new, department=changes["department"])
    if "expiresAt" in changes:
        expires = changes["expiresAt"]
        new = replace(new, expires_at=None if expires is None else _future_expiry(expires, now_s))
    # updatedAt never goes backwards, even if this clock is behind the last writer's.
    return replace(new, updated_at=max(now_ms, current.updated_at), version=current.version + 1)
