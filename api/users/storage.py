"""Users in DynamoDB: the pynamodb model of the Users table and the repository over it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from api.aws.dynamo import bind_model, model_connection, newest_first
from api.aws.faults import AwsRefusal, cancellation, translating_faults, unavailable
from api.rules.errors import ConcurrentChange, EmailTaken, InvalidCursor, NotFound
from api.rules.paging import Batch, Position, bounded_page, merged_listing
from api.settings import Settings
from api.users.list_shards import LIST_SHARDS, list_shard
from api.users.service import NO_SUCH_USER, User, UserQuery, UserRepository

USER_ENTITY = "user"
# Email uniqueness lives in a guard item per email in the same table, written in the
# same transaction as the user: a GSI is eventually consistent and cannot enforce it.
GUARD_PREFIX = "email#"


class EmailIndex(GlobalSecondaryIndex["UserItem"]):
    class Meta:
        index_name = "email-index"
        projection = AllProjection()

    email = UnicodeAttribute(hash_key=True)


class ListShardIndex(GlobalSecondaryIndex["UserItem"]):
    """All users over LIST_SHARDS partitions, each newest first: listing is a Query of each,
    never a Scan, and the users' writes spread over as many partitions."""

    class Meta:
        index_name = "listShard-index"
        projection = AllProjection()

    list_shard = UnicodeAttribute(hash_key=True, attr_name="listShard")
    created_at = NumberAttribute(range_key=True, attr_name="createdAt")


class DepartmentIndex(GlobalSecondaryIndex["UserItem"]):
    """The users of one department, newest first: a department's listing reads only its own
    users (a filter on listShard-index would read all). Users without one are not in it."""

    class Meta:
        index_name = "department-index"
        projection = AllProjection()

    department = UnicodeAttribute(hash_key=True)
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
    list_shard = UnicodeAttribute(null=True, attr_name="listShard")
    email = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    department = UnicodeAttribute(null=True)
    created_at = NumberAttribute(null=True, attr_name="createdAt")
    updated_at = NumberAttribute(null=True, attr_name="updatedAt")
    ttl = NumberAttribute(null=True)
    version = NumberAttribute(null=True)
    owner_id = UnicodeAttribute(null=True, attr_name="ownerId")
    subject = UnicodeAttribute(null=True)

    email_index = EmailIndex()
    list_shard_index = ListShardIndex()
    department_index = DepartmentIndex()


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
            list_shard=list_shard(user.user_id),
            email=user.email,
            name=user.name,
            department=user.department,
            created_at=user.created_at,
            updated_at=user.updated_at,
            ttl=user.expires_at,
            version=user.version,
            subject=user.subject,
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
            raise NotFound(NO_SUCH_USER)
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
        if query.email is not None:
            if after is not None:  # the email listing is always a single page
                raise InvalidCursor("The cursor belongs to a query with other filters.")
            return self._with_email(query, now_s)[:limit], None
        if query.department is None:
            return self._everyone(limit, after, now_s)
        model = self._model
        read = newest_first(
            model,
            model.department_index,
            ("department", query.department),
            "userId",
            keep=_live(model, now_s),
            after=after,
            convert=_to_user,
        )
        return bounded_page(read, limit, _position_of)

    def _everyone(
        self, limit: int, after: Mapping[str, Any] | None, now_s: int
    ) -> tuple[list[User], dict[str, Any] | None]:
        """All live users, newest first: the pages of every list shard merged."""
        model = self._model

        def open_shard(shard: int, start: Position | None) -> Callable[[int], Batch[User]]:
            return newest_first(
                model,
                model.list_shard_index,
                ("listShard", str(shard)),
                "userId",
                keep=_live(model, now_s),
                after=start,
                convert=_to_user,
            )

        return merged_listing(after, LIST_SHARDS, open_shard, limit, _position_of, "userId")

    def _with_email(self, query: UserQuery, now_s: int) -> list[User]:
        """The live user holding the email, through its guard item: two reads, however many
        expired users once had it (email-index holds them all until they are swept)."""
        email = str(query.email)
        try:
            guard = self._model.get(GUARD_PREFIX + email, consistent_read=True)
        except DoesNotExist:
            return []
        if guard.owner_id is None or (guard.ttl is not None and guard.ttl <= now_s):
            return []
        owner = self._stored(guard.owner_id)
        if owner is None or owner.email != email or not owner.is_live(now_s):
            return []
        if query.department is not None and owner.department != query.department:
            return []
        return [owner]


def _position_of(user: User) -> Position:
    return {"userId": user.user_id, "createdAt": user.created_at}


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
        subject=item.subject,
    )


def _raise_for(exc: TransactWriteError, condition_errors: Mapping[int, Exception]) -> None:
    """Turn a cancelled transaction into the domain error of the condition that failed, a
    503 if DynamoDB was throttling, or AwsRefusal (a 500) if it refused the request."""
    reasons = list(exc.cancellation_reasons or [])
    codes = [None if reason is None else reason.code for reason in reasons]
    kind = cancellation(codes)
    if kind == "none":
        raise exc
    if kind == "refused":
        raise AwsRefusal(f"TransactWriteItems was cancelled: {', '.join(map(str, codes))}") from exc
    if kind == "transient":
        raise unavailable(exc) from exc
    failed = [i for i, code in enumerate(codes) if code not in (None, "None")]
    # `condition_errors` names the new email guard's action (pynamodb sends a transaction's
    # deletes first, then its puts). Only when that condition alone failed is the email
    # taken; when an earlier action's failed too, or another transaction held an item, the
    # user itself changed: the caller re-reads and decides.
    if failed[0] in condition_errors and all(codes[i] == "ConditionalCheckFailed" for i in failed):
        raise condition_errors[failed[0]] from exc
    raise ConcurrentChange("The user changed while this request was changing it.") from exc
