"""Page cursors (api/rules/cursors.py): signed with the deployment's key, refused when forged,
edited, truncated, re-spelled or signed with any other key; the previous key still accepted;
the services sign with the codec they are given."""

from __future__ import annotations

import base64
import json
import re

import pytest

from api.assets.service import AssetService
from api.rules.cursors import TAG_BYTES, CursorCodec, query_fingerprint
from api.rules.errors import InvalidCursor
from api.rules.paging import merged_position
from api.spec import load_spec
from api.users.list_shards import LIST_SHARDS
from api.users.service import UserQuery, UserService
from dev.fakes import (
    FakeClock,
    InMemoryAssetRepository,
    InMemoryObjectStorage,
    InMemoryUserRepository,
)
from tests.identity import ADMIN_CALLER

KEY = b"unit tests: the current cursor key, 32+ bytes"
OLD_KEY = b"unit tests: the previous cursor key, 32+ bytes"
QUERY = {"department": None, "email": None}
POSITION = {"userId": "3f2b9c1e-8d4a-4f6b-9a7e-2c1d0e5f4a3b", "createdAt": 1795685400000}
# A cursor as this API issued them before they were signed (openapi.yaml's old example).
UNSIGNED_V1 = (
    "eyJwIjp7ImNyZWF0ZWRBdCI6MTc5NTY4NTQwMDAwMCwidXNlcklkIjoiM2YyYjljMWUtOGQ0YS00ZjZiLTlhN2Ut"
    "MmMxZDBlNWY0YTNiIn0sInEiOiI4MzY2YzE3ZmQzMDI3ZTAzIiwidiI6MX0"
)


def b64decode(cursor: str) -> bytes:
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))


def b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture
def codec() -> CursorCodec:
    return CursorCodec((KEY,))


@pytest.fixture
def cursor(codec) -> str:
    return codec.encode(QUERY, POSITION)


def test_a_cursor_is_short_url_safe_and_gives_back_its_position(codec, cursor):
    assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor)
    assert len(cursor) < 200
    assert codec.decode(cursor, QUERY) == POSITION


def test_a_cursor_is_its_json_payload_followed_by_a_128_bit_tag(cursor):
    raw = b64decode(cursor)
    payload = json.loads(raw[:-TAG_BYTES])
    assert payload == {"p": POSITION, "q": query_fingerprint(QUERY), "v": 2}


def test_an_edited_and_re_encoded_cursor_is_refused(codec, cursor):
    raw = b64decode(cursor)
    payload, tag = raw[:-TAG_BYTES], raw[-TAG_BYTES:]
    edited = payload.replace(b"1795685400000", b"1795685400001")
    assert edited != payload

    with pytest.raises(InvalidCursor, match="not one this API issued"):
        codec.decode(b64encode(edited + tag), QUERY)


def test_an_edited_cursor_whose_query_fingerprint_is_forged_too_is_refused(codec, cursor):
    other = {"department": "Ops", "email": None}
    raw = b64decode(cursor)
    forged = raw[:-TAG_BYTES].replace(
        query_fingerprint(QUERY).encode(), query_fingerprint(other).encode()
    )
    with pytest.raises(InvalidCursor, match="not one this API issued"):
        codec.decode(b64encode(forged + raw[-TAG_BYTES:]), other)


def test_a_cursor_with_any_one_character_changed_is_refused(codec, cursor):
    for at in range(len(cursor)):
        replacement = "A" if cursor[at] != "A" else "B"
        with pytest.raises(InvalidCursor):
            codec.decode(cursor[:at] + replacement + cursor[at + 1 :], QUERY)


@pytest.mark.parametrize("cut", [1, 2, 3, 4, 22, 23])
def test_a_truncated_cursor_is_refused(codec, cursor, cut):
    with pytest.raises(InvalidCursor, match="not one this API issued"):
        codec.decode(cursor[:-cut], QUERY)


def test_a_cursor_without_its_tag_is_refused(codec, cursor):
    with pytest.raises(InvalidCursor):
        codec.decode(b64encode(b64decode(cursor)[:-TAG_BYTES]), QUERY)


def test_a_cursor_signed_with_another_key_is_refused(cursor):
    with pytest.raises(InvalidCursor, match="not one this API issued"):
        CursorCodec((OLD_KEY,)).decode(cursor, QUERY)


def test_an_unsigned_cursor_of_the_first_version_is_refused(codec):
    assert json.loads(b64decode(UNSIGNED_V1))["v"] == 1
    with pytest.raises(InvalidCursor, match="not one this API issued"):
        codec.decode(UNSIGNED_V1, QUERY)


def test_only_the_spelling_issued_is_accepted(codec):
    cursor = codec.encode(QUERY, {**POSITION, "createdAt": 12})
    raw = b64decode(cursor)
    assert len(raw) % 3  # so the last character carries bits that do not count
    last = cursor[-1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    same_bytes = [
        c for c in alphabet if c != last and b64decode(cursor[:-1] + c) == raw
    ]  # other final characters that decode to the very same bytes
    assert same_bytes
    spellings = [
        cursor + "=" * (-len(cursor) % 4),  # padded
        cursor[:10] + "." + cursor[10:],  # a character outside the alphabet, ignored
        base64.b64encode(raw).decode().rstrip("="),  # the standard alphabet
        *(cursor[:-1] + c for c in same_bytes),
    ]
    for spelling in spellings:
        if spelling == cursor:
            continue
        with pytest.raises(InvalidCursor):
            codec.decode(spelling, QUERY)
    assert codec.decode(cursor, QUERY)["createdAt"] == 12


@pytest.mark.parametrize(
    "text", ["", "e30", "AAAA", "not base64!", "é" * 40, "\ud800", "A" * 1024, "=" * 8]
)
def test_anything_else_is_refused_as_not_issued(codec, text):
    with pytest.raises(InvalidCursor, match="not one this API issued"):
        codec.decode(text, QUERY)


def test_a_cursor_continues_only_the_query_it_was_issued_for(codec, cursor):
    with pytest.raises(InvalidCursor, match="other filters"):
        codec.decode(cursor, {"department": "Ops", "email": None})
    with pytest.raises(InvalidCursor, match="other filters"):
        codec.decode(cursor, {"status": None})


def test_during_a_rotation_cursors_of_the_previous_key_are_still_accepted():
    before = CursorCodec((OLD_KEY,))
    during = CursorCodec((KEY, OLD_KEY))
    issued_before = before.encode(QUERY, POSITION)
    issued_during = during.encode(QUERY, POSITION)

    assert during.decode(issued_before, QUERY) == POSITION
    assert CursorCodec((KEY,)).decode(issued_during, QUERY) == POSITION  # signed with the new
    with pytest.raises(InvalidCursor):
        before.decode(issued_during, QUERY)


def test_random_keys_differ_so_such_codecs_refuse_each_others_cursors():
    one, other = CursorCodec.with_random_key(), CursorCodec.with_random_key()
    with pytest.raises(InvalidCursor):
        other.decode(one.encode(QUERY, POSITION), QUERY)


@pytest.mark.parametrize("keys", [(), (b"short",), (KEY, b"x" * 31)])
def test_a_codec_needs_keys_of_at_least_32_bytes(keys):
    with pytest.raises(ValueError, match="key"):
        CursorCodec(keys)


def test_the_users_service_signs_its_cursors_with_the_codec_it_is_given():
    repository = InMemoryUserRepository()
    clock = FakeClock()
    issuer = UserService(repository, clock, cursors=CursorCodec((KEY,)))
    for i in range(3):
        issuer.create(ADMIN_CALLER, f"u{i}@example.com", "U")
        clock.advance(1)
    cursor = issuer.list(ADMIN_CALLER, UserQuery(), 1).next_cursor
    assert cursor is not None

    same_key = UserService(repository, clock, cursors=CursorCodec((KEY,)))
    assert len(same_key.list(ADMIN_CALLER, UserQuery(), 1, cursor).items) == 1
    with pytest.raises(InvalidCursor, match="not one this API issued"):
        UserService(repository, clock, cursors=CursorCodec((OLD_KEY,))).list(
            ADMIN_CALLER, UserQuery(), 1, cursor
        )
    with pytest.raises(InvalidCursor, match="not one this API issued"):
        UserService(repository, clock).list(
            ADMIN_CALLER, UserQuery(), 1, cursor
        )  # a key of its own


def test_the_assets_service_signs_its_cursors_with_the_codec_it_is_given():
    repository, storage, clock = InMemoryAssetRepository(), InMemoryObjectStorage(), FakeClock()
    issuer = AssetService(repository, storage, clock, cursors=CursorCodec((KEY,)))
    for i in range(3):
        issuer.create(ADMIN_CALLER, f"{i}.txt", "text/plain", 1)
        clock.advance(1)
    cursor = issuer.list(ADMIN_CALLER, None, 1).next_cursor
    assert cursor is not None

    same_key = AssetService(repository, storage, clock, cursors=CursorCodec((KEY,)))
    assert len(same_key.list(ADMIN_CALLER, None, 1, cursor).items) == 1
    with pytest.raises(InvalidCursor, match="not one this API issued"):
        AssetService(repository, storage, clock, cursors=CursorCodec((OLD_KEY,))).list(
            ADMIN_CALLER, None, 1, cursor
        )


def test_the_longest_users_cursor_fits_the_length_the_spec_allows(codec):
    spec = load_spec()
    cursor_schema = spec["components"]["schemas"]["Cursor"]
    query = {"caller": "c" * 255, "department": "d" * 100, "email": None}
    every_shard_far_on = merged_position(
        [{"userId": POSITION["userId"], "createdAt": 2**53 - 1}] * LIST_SHARDS, "userId"
    )

    longest = codec.encode(query, every_shard_far_on)

    assert len(longest) <= cursor_schema["maxLength"]
    assert re.fullmatch(cursor_schema["pattern"], longest)
