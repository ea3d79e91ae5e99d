"""Users in DynamoDB: the pynamodb model of the Users table and the repository over it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from api.aws.dynamo import bind_model, model_connection, start_key
from api.aws.faults import (
    TRANSIENT_CANCELLATIONS,
    translating_faults,
    unavailable,
)
from api.rules.errors import ConcurrentChange, EmailTaken, InvalidCursor, NotFound
from api.rules.paging import one_page
from api.settings import Settings
from api.users.service import User, UserQuery, UserRepository

USER_ENTITY = "user"
# Email uniqueness lives in a guard item per email in the same table, written in the
# same transaction as the user: a GSI is eventually consistent and cannot enforce it.
GUARD_PREFIX = "email#"


class EmailIndex(GlobalSecondaryIndex["UserItem"]):
    class Meta:
        index_name = "email-index"
        projection = AllProjection()

    email = UnicodeAttribute(hash_key=True)


class CreatedAtIndex(GlobalSecondaryIndex["UserItem"]):
    """All users under one partition value, newest first: listing is a Query, never a Scan."""

    class Meta:
        index_name = "createdAt-index"
        projection = AllProjection()

    entity = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True, attr_name="createdAt")


class UserItem(Model):
    """An item of the Users table: a user, or the guard item holding an email for its owner.

    Guards carry only userId (the prefixed email), ownerId and ttl, so the sparse GSIs
    never see them.
    """

    class Meta:
        table_name = "Users"

    user_id = UnicodeAttribute(hash_key=True, attr_name="userId")
    entity = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    department = UnicodeAttribute(null=True)
    created_at = NumberAttribute(null=True, attr_name="createdAt")
    updated_at = NumberAttribute(null=True, attr_name="updatedAt")
    ttl = NumberAttribute(null=True)
    version = NumberAttribute(null=True)
    owner_id = UnicodeAttribute(null=True, attr_name="ownerId")

    email_index = EmailIndex()
    created_at_index = CreatedAtIndex()


USERS_TABLE = "users"


def bind_user_table(settings: Settings) -> type[UserItem]:
    """The UserItem model bound to the users table, region and endpoint in `settings`."""
    return bind_model(UserItem, USERS_TABLE, settings)


def _live(model: type[UserItem], now_s: int) -> Condition:
    live: Condition = model.ttl.does_not_exist() | (model.ttl > now_s)
    return live


class DynamoUserRepository(UserRepository):
    """Users in the DynamoDB Users table, emails kept unique by guard items in transactions."""

    def __init__(self, model: type[UserItem]) -> None:
        self._model = model
        # Transactions go through the model's own connection: one botocore client, not two.
        self._connection: Connection = model_connection(model)

    def _item(self, user: User) -> UserItem:
        return self._model(
            user.user_id,
            entity=USER_ENTITY,
            email=user.email,
            name=user.name,
            department=user.department,
            created_at=user.created_at,
            updated_at=user.updated_at,
            ttl=user.expires_at,
            version=user.version,
        )

    def _guard(self, user: User) -> UserItem:
        return self._model(GUARD_PREFIX + user.email, owner_id=user.user_id, ttl=user.expires_at)

    def _guard_is_free(self, now_s: int) -> Condition:
        model = self._model
        free: Condition = model.user_id.does_not_exist() | (model.ttl <= now_s)
        return free

    def _owned_by(self, user: User) -> Condition:
        return self._model.owner_id == user.user_id

    def _unchanged(self, user: User, now_s: int) -> Condition:
        unchanged: Condition = (self._model.version == user.version) & _live(self._model, now_s)
        return unchanged

    @translating_faults
    def add(self, user: User, now_s: int) -> None:
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.save(self._item(user), condition=self._model.user_id.does_not_exist())
                transaction.save(self._guard(user), condition=self._guard_is_free(now_s))
        except TransactWriteError as exc:
            if self._stored(user.user_id) == user:
                # botocore retried after a timeout and the first attempt had landed (AWS
                # dedupes retried transactions by token; the emulator does not).
                return
            _raise_for(exc, {1: EmailTaken("Another user already has this email.")})

    def _stored(self, user_id: str) -> User | None:
        try:
            return _to_user(self._model.get(user_id, consistent_read=True))
        except DoesNotExist:
            return None

    @translating_faults
    def get(self, user_id: str, now_s: int) -> User:
        try:
            item = self._model.get(user_id, consistent_read=True)
        except DoesNotExist:
            item = None
        if item is None or item.entity != USER_ENTITY or not _to_user(item).is_live(now_s):
            raise NotFound("There is no user with this id.")
        return _to_user(item)

    @translating_faults
    def replace(self, current: User, new: User, now_s: int) -> None:
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.save(self._item(new), condition=self._unchanged(current, now_s))
                if new.email != current.email:
                    transaction.delete(self._guard(current), condition=self._owned_by(current))
                    transaction.save(self._guard(new), condition=self._guard_is_free(now_s))
                elif new.expires_at != current.expires_at:
                    transaction.save(self._guard(new), condition=self._owned_by(current))
        except TransactWriteError as exc:
            _raise_for(exc, {2: EmailTaken("Another user already has this email.")})

    @translating_faults
    def remove(self, current: User, now_s: int) -> None:
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.delete(self._item(current), condition=self._unchanged(current, now_s))
                transaction.delete(self._guard(current), condition=self._owned_by(current))
        except TransactWriteError as exc:
            _raise_for(exc, {})

    @translating_faults
    def find(
        self, query: UserQuery, limit: int, after: Mapping[str, Any] | None, now_s: int
    ) -> tuple[list[User], dict[str, Any] | None]:
        model = self._model
        condition = _live(model, now_s)
        if query.department is not None:
            condition &= model.department == query.department
        if query.email is not None:
            # At most one live user has an email, so this listing is always a single page.
            if after is not None:
                raise InvalidCursor("The cursor belongs to a query with other filters.")
            items = model.email_index.query(query.email, filter_condition=condition)
            return [_to_user(item) for item in items][:limit], None
        items = model.created_at_index.query(
            USER_ENTITY,
            scan_index_forward=False,
            filter_condition=condition,
            limit=limit + 1,
            last_evaluated_key=None
            if after is None
            else start_key(after, "userId", ("entity", USER_ENTITY)),
        )
        return one_page(
            map(_to_user, items),
            limit,
            lambda user: {"userId": user.user_id, "createdAt": user.created_at},
        )


def _to_user(item: UserItem) -> User:
    return User(
        user_id=item.user_id,
        email=str(item.email),
        name=str(item.name),
        department=item.department,
        created_at=int(item.created_at or 0),
        updated_at=int(item.updated_at or 0),
        expires_at=None if item.ttl is None else int(item.ttl),
        version=int(item.version or 0),
    )


def _raise_for(exc: TransactWriteError, condition_errors: Mapping[int, Exception]) -> None:
    """Turn a cancelled transaction into the domain error of the condition that failed."""
    reasons = exc.cancellation_reasons or []
    failed = [i for i, reason in enumerate(reasons) if reason and reason.code != "None"]
    if not failed:
        raise exc
    if any(reasons[i].code in TRANSIENT_CANCELLATIONS for i in failed):  # type: ignore[union-attr]
        raise unavailable(exc) from exc
    # `condition_errors` names the new email guard's action (pynamodb sends a transaction's
    # deletes first, then its puts). Only when that condition alone failed is the email
    # taken; when an earlier action's failed too, the user itself changed: the caller
    # re-reads and decides.
    if failed[0] in condition_errors and all(
        reasons[i] and reasons[i].code == "ConditionalCheckFailed"  # type: ignore[union-attr]
        for i in failed
    ):
        raise condition_errors[failed[0]] from exc
    raise ConcurrentChange("The user changed while this request was changing it.") from exc
