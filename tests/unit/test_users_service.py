from __future__ import annotations

import pytest

from api.rules.errors import EmailTaken, InvalidCursor, InvalidRequest, NotFound, VersionMismatch
from api.users.service import UserQuery, UserService
from dev.fakes import FakeClock, InMemoryUserRepository
from tests.identity import ADMIN_CALLER


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def repository() -> InMemoryUserRepository:
    return InMemoryUserRepository()


@pytest.fixture
def users(repository: InMemoryUserRepository, clock: FakeClock) -> UserService:
    return UserService(repository, clock)


def test_create_trims_and_lowercases_the_email_and_starts_at_version_one(users, clock):
    user = users.create(ADMIN_CALLER, "  Ada@Example.COM ", "Ada", "Engineering")

    assert user.email == "ada@example.com"
    assert (user.name, user.department, user.version, user.etag) == ("Ada", "Engineering", 1, '"1"')
    assert user.created_at == user.updated_at == int(clock.now * 1000)
    assert user.expires_at is None


def test_create_with_an_email_in_use_in_another_case_raises_email_taken(users, repository):
    users.create(ADMIN_CALLER, "ada@example.com", "Ada")

    with pytest.raises(EmailTaken):
        users.create(ADMIN_CALLER, "ADA@example.com ", "Impostor")
    assert len(repository.users) == 1


def test_create_with_expiry_in_the_past_or_now_is_refused_and_stores_nothing(users, repository):
    for moment in ("2020-01-01T00:00:00Z", "2026-09-21T14:13:20Z"):  # the second is "now"
        with pytest.raises(InvalidRequest, match="future"):
            users.create(ADMIN_CALLER, "ada@example.com", "Ada", expires_at=moment)
    assert repository.users == {}


def test_create_rounds_a_fractional_expiry_up_to_the_second(users, clock):
    user = users.create(
        ADMIN_CALLER,
        "ada@example.com",
        "Ada",
        expires_at="2027-01-01T00:00:00.001+00:00",
    )
    assert user.expires_at == 1_798_761_601


def test_an_expired_user_is_gone_and_its_email_is_free(users, clock):
    old = users.create(ADMIN_CALLER, "ada@example.com", "Ada", expires_at="2026-09-21T14:20:00Z")
    clock.advance(400)

    with pytest.raises(NotFound):
        users.get(ADMIN_CALLER, old.user_id)
    new = users.create(ADMIN_CALLER, "ada@example.com", "Ada again")
    assert users.get(ADMIN_CALLER, new.user_id) == new
    assert users.list(ADMIN_CALLER, UserQuery(), 10).items == [new]


def test_update_applies_changes_bumps_version_and_removes_fields_given_null(users, clock):
    user = users.create(
        ADMIN_CALLER,
        "ada@example.com",
        "Ada",
        "Eng",
        expires_at="2030-01-01T00:00:00Z",
    )
    clock.advance(1.5)

    changed = users.update(
        ADMIN_CALLER,
        user.user_id,
        {"name": "Ada L.", "department": None, "expiresAt": None},
    )

    assert (changed.name, changed.department, changed.expires_at) == ("Ada L.", None, None)
    assert changed.version == 2
    assert changed.updated_at == user.updated_at + 1500
    assert changed.created_at == user.created_at
    assert users.get(ADMIN_CALLER, user.user_id) == changed


def test_update_with_a_stale_if_match_raises_version_mismatch_and_changes_nothing(users):
    user = users.create(ADMIN_CALLER, "ada@example.com", "Ada")
    users.update(ADMIN_CALLER, user.user_id, {"name": "B"})

    with pytest.raises(VersionMismatch):
        users.update(ADMIN_CALLER, user.user_id, {"name": "C"}, if_match='"1"')
    assert users.get(ADMIN_CALLER, user.user_id).name == "B"


@pytest.mark.parametrize("if_match", ['"1"', "*", '"7", "1"'])
def test_update_with_a_matching_if_match_succeeds(users, if_match):
    user = users.create(ADMIN_CALLER, "ada@example.com", "Ada")
    assert users.update(ADMIN_CALLER, user.user_id, {"name": "B"}, if_match=if_match).name == "B"


def test_a_weak_etag_never_matches_if_match(users):
    user = users.create(ADMIN_CALLER, "ada@example.com", "Ada")
    with pytest.raises(VersionMismatch):
        users.update(ADMIN_CALLER, user.user_id, {"name": "B"}, if_match='W/"1"')


def test_changing_email_to_a_taken_one_raises_and_frees_nothing(users):
    ada = users.create(ADMIN_CALLER, "ada@example.com", "Ada")
    users.create(ADMIN_CALLER, "bob@example.com", "Bob")

    with pytest.raises(EmailTaken):
        users.update(ADMIN_CALLER, ada.user_id, {"email": "BOB@example.com"})
    assert users.get(ADMIN_CALLER, ada.user_id).email == "ada@example.com"


def test_changing_email_frees_the_old_one(users):
    ada = users.create(ADMIN_CALLER, "ada@example.com", "Ada")
    users.update(ADMIN_CALLER, ada.user_id, {"email": "ada@new.example"})

    assert users.create(ADMIN_CALLER, "ada@example.com", "Another Ada").email == "ada@example.com"


def test_delete_frees_the_email_and_honours_if_match(users):
    ada = users.create(ADMIN_CALLER, "ada@example.com", "Ada")
    with pytest.raises(VersionMismatch):
        users.delete(ADMIN_CALLER, ada.user_id, if_match='"2"')

    users.delete(ADMIN_CALLER, ada.user_id, if_match='"1"')

    with pytest.raises(NotFound):
        users.get(ADMIN_CALLER, ada.user_id)
    users.create(ADMIN_CALLER, "ada@example.com", "Ada again")


def test_update_and_delete_of_a_missing_user_raise_not_found(users):
    with pytest.raises(NotFound):
        users.update(ADMIN_CALLER, "00000000-0000-4000-8000-000000000000", {"name": "x"})
    with pytest.raises(NotFound):
        users.delete(ADMIN_CALLER, "00000000-0000-4000-8000-000000000000")


def test_list_pages_newest_first_and_the_last_page_has_no_cursor(users, clock):
    created = []
    for i in range(5):
        created.append(users.create(ADMIN_CALLER, f"u{i}@example.com", f"U{i}"))
        clock.advance(1)

    first = users.list(ADMIN_CALLER, UserQuery(), 2)
    second = users.list(ADMIN_CALLER, UserQuery(), 2, first.next_cursor)
    third = users.list(ADMIN_CALLER, UserQuery(), 2, second.next_cursor)

    newest_first = list(reversed(created))
    assert first.items + second.items + third.items == newest_first
    assert first.next_cursor
    assert second.next_cursor
    assert third.next_cursor is None


def test_list_by_email_is_case_insensitive(users):
    ada = users.create(ADMIN_CALLER, "ada@example.com", "Ada")
    users.create(ADMIN_CALLER, "bob@example.com", "Bob")
    assert users.list(ADMIN_CALLER, UserQuery(email="ADA@Example.com"), 20).items == [ada]


def test_a_cursor_used_with_other_filters_is_refused(users, clock):
    for i in range(3):
        users.create(ADMIN_CALLER, f"u{i}@example.com", "U", "Eng")
        clock.advance(1)
    page = users.list(ADMIN_CALLER, UserQuery(department="Eng"), 1)

    with pytest.raises(InvalidCursor, match="other filters"):
        users.list(ADMIN_CALLER, UserQuery(department="Ops"), 1, page.next_cursor)
    with pytest.raises(InvalidCursor):
        users.list(ADMIN_CALLER, UserQuery(), 1, page.next_cursor)


@pytest.mark.parametrize("cursor", ["not-base64!", "e30", "eyJ2IjoxfQ", "AAAA"])
def test_a_forged_or_corrupted_cursor_is_refused(users, cursor):
    with pytest.raises(InvalidCursor):
        users.list(ADMIN_CALLER, UserQuery(), 1, cursor)
