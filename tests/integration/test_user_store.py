"""DynamoUserRepository against the emulator: the transactions behind the users rules."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from api.aws.dynamo import model_connection
from api.rules.errors import ConcurrentChange, EmailTaken, InvalidCursor, NotFound
from api.settings import Settings
from api.users.list_shards import LIST_SHARDS, list_shard
from api.users.service import User, UserQuery
from api.users.storage import DynamoUserRepository, bind_user_table

NOW = 1_790_000_000


def make_user(n: int, **changes) -> User:
    fields = {
        "user_id": f"00000000-0000-4000-8000-{n:012d}",
        "email": f"user{n}@example.com",
        "name": f"User {n}",
        "department": None,
        "created_at": NOW * 1000 + n,
        "updated_at": NOW * 1000 + n,
        "expires_at": None,
        "version": 1,
    }
    return User(**{**fields, **changes})


@pytest.fixture
def repository(settings: Settings) -> DynamoUserRepository:
    return DynamoUserRepository(bind_user_table(settings))


@pytest.fixture
def table(settings: Settings):
    resource = boto3.resource(
        "dynamodb", region_name=settings.region, endpoint_url=settings.aws_endpoint_url
    )
    return resource.Table(settings.table("users"))


def stored_keys(table) -> set[str]:
    return {item["userId"] for item in table.scan()["Items"]}


def test_add_writes_the_user_and_a_guard_item_for_its_email(repository, table):
    user = make_user(1)
    repository.add(user, NOW)

    assert stored_keys(table) == {user.user_id, "email#user1@example.com"}
    guard = table.get_item(Key={"userId": "email#user1@example.com"})["Item"]
    assert guard == {"userId": "email#user1@example.com", "ownerId": user.user_id}
    assert repository.get(user.user_id, NOW) == user


def test_add_with_a_taken_email_raises_email_taken_and_writes_nothing(repository, table):
    repository.add(make_user(1), NOW)

    with pytest.raises(EmailTaken):
        repository.add(make_user(2, email="user1@example.com"), NOW)
    assert stored_keys(table) == {make_user(1).user_id, "email#user1@example.com"}


def test_an_expired_users_email_can_be_claimed_before_the_ttl_sweep(repository, table):
    old = make_user(1, expires_at=NOW + 10)
    repository.add(old, NOW)
    new = make_user(2, email=old.email)

    with pytest.raises(EmailTaken):
        repository.add(new, NOW + 9)
    repository.add(new, NOW + 10)

    with pytest.raises(NotFound):
        repository.get(old.user_id, NOW + 10)
    guard = table.get_item(Key={"userId": "email#user1@example.com"})["Item"]
    assert guard["ownerId"] == new.user_id
    assert repository.find(UserQuery(email=old.email), 10, None, NOW + 10) == ([new], None)


def test_replace_moves_the_email_guard_atomically(repository, table):
    user = make_user(1)
    repository.add(user, NOW)
    moved = make_user(1, email="new@example.com", version=2)

    repository.replace(user, moved, NOW)

    assert stored_keys(table) == {user.user_id, "email#new@example.com"}
    assert repository.get(user.user_id, NOW) == moved


def test_replace_onto_a_taken_email_changes_nothing(repository, table):
    one, two = make_user(1), make_user(2)
    repository.add(one, NOW)
    repository.add(two, NOW)

    with pytest.raises(EmailTaken):
        repository.replace(one, make_user(1, email=two.email, version=2), NOW)
    assert repository.get(one.user_id, NOW) == one
    assert "email#user1@example.com" in stored_keys(table)


def test_replace_of_a_stale_version_raises_concurrent_change(repository):
    user = make_user(1)
    repository.add(user, NOW)
    repository.replace(user, make_user(1, name="B", version=2), NOW)

    with pytest.raises(ConcurrentChange):
        repository.replace(user, make_user(1, name="C", version=2), NOW)
    assert repository.get(user.user_id, NOW).name == "B"


def test_replace_of_the_expiry_keeps_the_guard_expiry_in_step(repository, table):
    user = make_user(1)
    repository.add(user, NOW)
    repository.replace(user, make_user(1, expires_at=NOW + 60, version=2), NOW)

    guard = table.get_item(Key={"userId": "email#user1@example.com"})["Item"]
    assert guard["ttl"] == NOW + 60


def test_remove_deletes_the_user_and_its_guard(repository, table):
    user = make_user(1)
    repository.add(user, NOW)

    repository.remove(user, NOW)

    assert stored_keys(table) == set()


def test_remove_of_a_stale_version_changes_nothing(repository, table):
    user = make_user(1)
    repository.add(user, NOW)
    repository.replace(user, make_user(1, version=2), NOW)

    with pytest.raises(ConcurrentChange):
        repository.remove(user, NOW)
    assert len(stored_keys(table)) == 2


def test_find_pages_newest_first_through_the_index_and_skips_expired_users(repository):
    users = [make_user(n) for n in range(1, 8)]
    for user in users:
        repository.add(user, NOW)
    repository.add(make_user(8, expires_at=NOW), NOW - 1)  # expired by NOW

    seen, after = [], None
    while True:
        page, after = repository.find(UserQuery(), 3, after, NOW)
        seen.extend(page)
        if after is None:
            break
    assert seen == list(reversed(users))


def test_find_filters_by_department(repository):
    eng = make_user(1, department="Eng")
    repository.add(eng, NOW)
    repository.add(make_user(2, department="Ops"), NOW)

    assert repository.find(UserQuery(department="Eng"), 10, None, NOW) == ([eng], None)


def users_in_shard(shard: str, count: int, **changes) -> list[User]:
    """The first `count` users of make_user whose list shard is `shard`."""
    found = (make_user(n, **changes) for n in range(1, 10_000))
    return [u for u in found if list_shard(u.user_id) == shard][:count]


def test_each_user_is_stored_in_its_list_shard_and_guards_in_none(repository, table):
    for n in range(1, 4):
        repository.add(make_user(n), NOW)

    items = {item["userId"]: item for item in table.scan()["Items"]}
    for n in range(1, 4):
        user_id = make_user(n).user_id
        assert items[user_id]["listShard"] == list_shard(user_id)
        assert "listShard" not in items[f"email#user{n}@example.com"]


def test_find_merges_the_shards_newest_first_with_ties_by_id_descending(repository):
    same_instant = [make_user(n, created_at=NOW * 1000) for n in range(1, 25)]
    for user in same_instant:
        repository.add(user, NOW)
    assert len({list_shard(u.user_id) for u in same_instant}) == LIST_SHARDS

    seen, after = [], None
    while True:
        page, after = repository.find(UserQuery(), 5, after, NOW)
        seen.extend(page)
        if after is None:
            break
    assert seen == sorted(same_instant, key=lambda u: u.user_id, reverse=True)


def test_a_page_queries_each_shard_once_with_limit_plus_one(repository, settings):
    users = [make_user(n) for n in range(1, 41)]
    for user in users:
        repository.add(user, NOW)
    queries: list[dict[str, Any]] = []
    client = model_connection(repository._model).client
    client.meta.events.register(
        "provide-client-params.dynamodb.Query", lambda params, **_: queries.append(params)
    )

    page, after = repository.find(UserQuery(), 10, None, NOW)

    assert page == users[::-1][:10]
    assert sorted(q["ExpressionAttributeValues"][":0"]["S"] for q in queries) == [
        str(shard) for shard in range(LIST_SHARDS)
    ]
    assert {(q["IndexName"], q["Limit"], q["ScanIndexForward"]) for q in queries} == {
        ("listShard-index", 11, False)
    }
    assert after is not None
    assert len(after["shards"]) == LIST_SHARDS


def test_a_shard_that_is_done_is_not_queried_again(repository):
    only = users_in_shard("3", 2)
    for user in only:
        repository.add(user, NOW)

    first, after = repository.find(UserQuery(), 1, None, NOW)

    assert first == [only[1]]
    assert after == {
        "shards": [
            [only[1].created_at, only[1].user_id] if shard == 3 else "done"
            for shard in range(LIST_SHARDS)
        ]
    }
    assert repository.find(UserQuery(), 1, after, NOW) == ([only[0]], None)


NO_SHARD = [None] * LIST_SHARDS
A_USER = "00000000-0000-4000-8000-000000000001"


@pytest.mark.parametrize(
    "position",
    [
        {"userId": A_USER, "createdAt": 1},  # the position before the shards
        {"shards": NO_SHARD[1:]},
        {"shards": [*NO_SHARD, None]},
        {"shards": NO_SHARD, "userId": A_USER},
        {"shards": "done"},
        {"shards": ["x", *NO_SHARD[1:]]},
        {"shards": [[1], *NO_SHARD[1:]]},
        {"shards": [[1, A_USER, 2], *NO_SHARD[1:]]},
        {"shards": [[A_USER, 1], *NO_SHARD[1:]]},
        {"shards": [["1", A_USER], *NO_SHARD[1:]]},
        {"shards": [[True, A_USER], *NO_SHARD[1:]]},
        {"shards": [[-1, A_USER], *NO_SHARD[1:]]},
        {"shards": [[2**53, A_USER], *NO_SHARD[1:]]},
        {"shards": [[1, "3F2B9C1E-8D4A-4F6B-9A7E-2C1D0E5F4A3B"], *NO_SHARD[1:]]},
        {"shards": [[1, "email#a@example.com"], *NO_SHARD[1:]]},
        {"shards": [{"userId": A_USER, "createdAt": 1}, *NO_SHARD[1:]]},
    ],
)
def test_find_refuses_a_position_it_did_not_produce(repository, position):
    with pytest.raises(InvalidCursor):
        repository.find(UserQuery(), 10, position, NOW)


@pytest.mark.parametrize(
    "position",
    [
        {"userId": "x", "createdAt": 1},
        {"shards": NO_SHARD},  # the all-users listing's
        {"userId": A_USER, "createdAt": "1"},
        {"userId": A_USER, "createdAt": 1, "entity": "x"},
    ],
)
def test_a_department_listing_refuses_a_position_it_did_not_produce(repository, position):
    with pytest.raises(InvalidCursor):
        repository.find(UserQuery(department="Eng"), 10, position, NOW)
