"""DynamoUserRepository against the emulator: the transactions behind the users rules."""

from __future__ import annotations

import boto3
import pytest

from api.rules.errors import ConcurrentChange, EmailTaken, InvalidCursor, NotFound
from api.settings import Settings
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


@pytest.mark.parametrize(
    "position",
    [
        {"userId": "x", "createdAt": 1},
        {"userId": "00000000-0000-4000-8000-000000000001"},
        {"userId": "00000000-0000-4000-8000-000000000001", "createdAt": "1"},
        {"userId": "00000000-0000-4000-8000-000000000001", "createdAt": True},
        {"userId": "00000000-0000-4000-8000-000000000001", "createdAt": -1},
        {"userId": "00000000-0000-4000-8000-000000000001", "createdAt": 1, "entity": "x"},
    ],
)
def test_find_refuses_a_position_it_did_not_produce(repository, position):
    with pytest.raises(InvalidCursor):
        repository.find(UserQuery(), 10, position, NOW)
