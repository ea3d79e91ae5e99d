"""Every listing evaluates at most ITEMS_EVALUATED_PER_REQUEST items per request, in DynamoDB
(the emulator) and in the in-memory fakes alike: a page is short, with a position to go on
from, when the budget runs out first; a department or an email is found without walking
the other users."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import boto3
import pytest

from api.assets.service import Asset, AssetRepository
from api.assets.storage import DynamoAssetRepository, bind_asset_table
from api.aws.dynamo import model_connection
from api.rules.errors import InvalidCursor
from api.rules.paging import ITEMS_EVALUATED_PER_REQUEST
from api.settings import Settings
from api.users.list_shards import LIST_SHARDS, list_shard
from api.users.service import User, UserQuery, UserRepository
from api.users.storage import GUARD_PREFIX, DynamoUserRepository, bind_user_table
from dev.fakes import InMemoryAssetRepository, InMemoryUserRepository
from tests.integration.test_asset_storage import OWNER
from tests.integration.test_asset_storage import make_asset as asset
from tests.integration.test_user_store import NOW
from tests.integration.test_user_store import make_user as user

BUDGET = ITEMS_EVALUATED_PER_REQUEST
MORE_THAN_A_BUDGET = BUDGET + 50


@dataclass
class Store:
    """A repository, how to fill it fast, and (in DynamoDB) what its queries evaluated."""

    repository: Any
    seed: Callable[[list[Any]], None]
    queries: list[int] | None = None
    write_raw: Callable[[list[dict[str, Any]]], None] | None = None
    reads: list[str] = field(default_factory=list)

    def evaluated(self) -> int:
        assert self.queries is not None
        return sum(self.queries)


def _counting(model: Any, store: Store) -> None:
    events = model_connection(model).client.meta.events

    def after_call(event_name: str, parsed: dict[str, Any], **_: Any) -> None:
        store.reads.append(event_name.rsplit(".", 1)[-1])
        if event_name.endswith(".Query") and store.queries is not None:
            store.queries.append(int(parsed.get("ScannedCount", 0)))

    events.register("after-call.dynamodb", after_call)


def _user_item(u: User) -> dict[str, Any]:
    item = {
        "userId": u.user_id,
        "entity": "user",
        "listShard": list_shard(u.user_id),
        "email": u.email,
        "name": u.name,
        "createdAt": u.created_at,
        "updatedAt": u.updated_at,
        "version": u.version,
    }
    if u.department is not None:
        item["department"] = u.department
    if u.expires_at is not None:
        item["ttl"] = u.expires_at
    return item


def _asset_item(a: Asset) -> dict[str, Any]:
    owner = {} if a.owner_id is None else {"ownerId": a.owner_id}
    return {
        "assetId": a.asset_id,
        **owner,
        "entity": "asset",
        "fileName": a.file_name,
        "contentType": a.content_type,
        "size": a.size,
        "status": a.status,
        "s3Key": a.s3_key,
        "createdAt": a.created_at,
        "updatedAt": a.updated_at,
        "ttl": a.expires_at,
        "version": a.version,
    }


def _batch_writer(settings: Settings, table: str) -> Callable[[list[dict[str, Any]]], None]:
    resource = boto3.resource(
        "dynamodb", region_name=settings.region, endpoint_url=settings.aws_endpoint_url
    )

    def write(items: list[dict[str, Any]]) -> None:
        with resource.Table(settings.table(table)).batch_writer() as batch:
            for item in items:
                batch.put_item(Item=item)

    return write


@pytest.fixture(params=["dynamodb", "in-memory"])
def users(request, settings: Settings) -> Iterator[Store]:
    if request.param == "in-memory":
        fake = InMemoryUserRepository()

        def add_all(seeded: list[User]) -> None:
            for u in seeded:  # each added while it is live, as the service would
                fake.add(u, NOW - 1 if u.expires_at is None else u.expires_at - 1)

        yield Store(fake, add_all)
        return
    model = bind_user_table(settings)
    write = _batch_writer(settings, "users")

    def seed(seeded: list[User]) -> None:
        live = [u for u in seeded if u.is_live(NOW)]
        guards = [{"userId": GUARD_PREFIX + u.email, "ownerId": u.user_id} for u in live]
        write([_user_item(u) for u in seeded] + guards)

    store = Store(DynamoUserRepository(model), seed, queries=[], write_raw=write)
    _counting(model, store)
    yield store


@pytest.fixture(params=["dynamodb", "in-memory"])
def assets(request, settings: Settings) -> Iterator[Store]:
    if request.param == "in-memory":
        fake = InMemoryAssetRepository()

        def add(seeded: list[Asset]) -> None:
            for a in seeded:
                fake.add(a)

        yield Store(fake, add)
        return
    model = bind_asset_table(settings)
    write = _batch_writer(settings, "assets")
    store = Store(
        DynamoAssetRepository(model), lambda seeded: write([_asset_item(a) for a in seeded]), []
    )
    _counting(model, store)
    yield store


def users_in_shard(shard: str, count: int, **changes: Any) -> list[User]:
    """The first `count` users of tests' `user(n)` whose list shard is `shard`, oldest first."""
    found = (user(n, **changes) for n in range(1, 100_000))
    return [u for u in found if list_shard(u.user_id) == shard][:count]


def expired_users_over_one_live(count: int) -> tuple[list[User], User]:
    """`count` expired users of one list shard, all newer than one live user of it."""
    oldest, *newer = users_in_shard("0", count + 1)
    return [oldest] + [replace(u, expires_at=NOW - 5) for u in newer], oldest


def test_a_users_listing_stops_at_a_shards_budget_with_a_short_page_and_goes_on_from_there(
    users,
):
    seeded, oldest = expired_users_over_one_live(MORE_THAN_A_BUDGET)
    users.seed(seeded)
    repository: UserRepository = users.repository

    first, after = repository.find(UserQuery(), 1, None, NOW)

    # Shard 0's position is the last item evaluated, which was expired and so not returned;
    # the others, empty, are done.
    last_evaluated = seeded[-BUDGET]
    shard_zero = [last_evaluated.created_at, last_evaluated.user_id]
    assert (first, after) == ([], {"shards": [shard_zero] + ["done"] * (LIST_SHARDS - 1)})
    if users.queries is not None:
        assert users.evaluated() == BUDGET
        users.queries.clear()
    assert repository.find(UserQuery(), 1, after, NOW) == ([oldest], None)
    if users.queries is not None:
        # Shard 0 alone (the others are done): limit + 1, then the rest, to its end.
        assert users.queries == [2, len(seeded) - BUDGET - 2]


def test_an_unfiltered_page_of_live_users_is_one_query_of_limit_plus_one_per_shard(users):
    seeded = [user(n) for n in range(1, 31)]
    users.seed(seeded)

    page, after = users.repository.find(UserQuery(), 20, None, NOW)

    assert page == seeded[::-1][:20]
    assert after is not None
    assert users.repository.find(UserQuery(), 20, after, NOW) == (seeded[::-1][20:], None)
    if users.queries is not None:
        assert len(users.queries) == 2 * LIST_SHARDS - after["shards"].count("done")
        assert sum(users.queries[:LIST_SHARDS]) == len(seeded)  # 21 at most in each


def test_a_rare_department_is_found_in_one_page_without_reading_the_other_users(users):
    rare = user(1, department="Rare")
    users.seed([rare] + [user(n, department="Common") for n in range(2, MORE_THAN_A_BUDGET)])

    assert users.repository.find(UserQuery(department="Rare"), 1, None, NOW) == ([rare], None)
    if users.queries is not None:
        assert users.evaluated() == 1  # department-index holds only the department's users


def test_a_department_listing_pages_through_its_own_users_and_skips_expired_ones(users):
    mine = [user(n, department="Ops") for n in range(1, 6)]
    gone = user(6, department="Ops", expires_at=NOW)
    users.seed([*mine, gone, user(7, department="Eng"), user(8)])

    seen, after = [], None
    while True:
        page, after = users.repository.find(UserQuery(department="Ops"), 2, after, NOW)
        seen += page
        if after is None:
            break
    assert seen == mine[::-1]


def test_a_user_who_changed_department_is_listed_only_under_the_new_one(users):
    moved = user(1, department="Old")
    users.seed([moved])
    now_in = user(1, department="New", version=2)
    users.repository.replace(moved, now_in, NOW)

    assert users.repository.find(UserQuery(department="Old"), 5, None, NOW) == ([], None)
    assert users.repository.find(UserQuery(department="New"), 5, None, NOW) == ([now_in], None)


def test_an_email_is_found_by_its_guard_however_many_expired_users_had_it(users):
    earlier = [
        user(n, email="ada@example.com", expires_at=NOW - 10 * (MORE_THAN_A_BUDGET - n) - 1)
        for n in range(2, MORE_THAN_A_BUDGET)
    ]
    owner = user(1, email="ada@example.com", department="Eng")
    users.seed([*earlier, owner])

    assert users.repository.find(UserQuery(email="ada@example.com"), 1, None, NOW) == (
        [owner],
        None,
    )
    assert users.repository.find(
        UserQuery(email="ada@example.com", department="Ops"), 1, None, NOW
    ) == (
        [],
        None,
    )
    assert users.repository.find(UserQuery(email="bob@example.com"), 1, None, NOW) == ([], None)
    if users.queries is not None:
        assert users.queries == []  # no query at all: the guard, then its owner
        assert users.reads == ["GetItem"] * 5


def test_an_email_whose_owner_expired_lists_nobody_from_the_guard_alone(users):
    gone = user(1, email="ada@example.com", expires_at=NOW)
    users.seed([gone])
    if users.write_raw is not None:  # the guard of an expired owner, not yet swept
        users.write_raw(
            [{"userId": GUARD_PREFIX + gone.email, "ownerId": gone.user_id, "ttl": NOW}]
        )

    assert users.repository.find(UserQuery(email="ada@example.com"), 1, None, NOW) == ([], None)
    if users.queries is not None:
        assert users.reads == ["GetItem"]


def test_an_email_listing_refuses_any_cursor(users):
    users.seed([user(1)])
    with pytest.raises(InvalidCursor):
        users.repository.find(
            UserQuery(email="user1@example.com"),
            1,
            {"userId": user(1).user_id, "createdAt": 1},
            NOW,
        )


@pytest.mark.parametrize("status", [None, "pending"])
def test_an_assets_listing_stops_at_the_budget_with_a_short_page(assets, status):
    oldest = asset(1)
    expired = [asset(n, expires_at=NOW) for n in range(2, MORE_THAN_A_BUDGET + 2)]
    assets.seed([oldest, *expired])
    repository: AssetRepository = assets.repository

    first, after = repository.find(OWNER, status, 5, None, NOW)

    last_evaluated = expired[-BUDGET]
    assert (first, after) == (
        [],
        {"assetId": last_evaluated.asset_id, "createdAt": last_evaluated.created_at},
    )
    if assets.queries is not None:
        assert assets.evaluated() == BUDGET
    assert repository.find(OWNER, status, 5, after, NOW) == ([oldest], None)


@pytest.mark.parametrize("status", [None, "pending"])
def test_an_owners_assets_are_found_without_reading_the_other_owners(assets, status):
    mine = asset(1)
    others = [asset(n, owner_id="someone-else") for n in range(2, MORE_THAN_A_BUDGET + 2)]
    assets.seed([mine, *others])

    assert assets.repository.find(OWNER, status, 5, None, NOW) == ([mine], None)
    if assets.queries is not None:
        assert assets.evaluated() == 1  # ownerId-index holds only the owner's assets


def test_an_asset_stored_before_owners_is_in_no_listing(assets):
    assets.seed([asset(1, owner_id=None), asset(2)])

    assert assets.repository.find(OWNER, None, 5, None, NOW) == ([asset(2)], None)
