"""The cursors' key comes from the deployment's configuration: CURSOR_KEY (required on Lambda),
CURSOR_KEY_PREVIOUS during a rotation, a random key per process for `make run` without one."""

from __future__ import annotations

import pytest

from api.functions.builders import cursor_codec, dynamo_asset_service, dynamo_user_service
from api.resources import FUNCTIONS, SECRETS
from api.settings import MissingSetting, Settings
from dev.server import cursor_key_note, local_settings

KEY = "unit tests: the current cursor key, 32+ bytes"
OLD_KEY = "unit tests: the previous cursor key, 32+ bytes"
POSITION = {"userId": "3f2b9c1e-8d4a-4f6b-9a7e-2c1d0e5f4a3b", "createdAt": 1795685400000}


def names_of(function) -> dict[str, str]:
    return {resource.env: "x" * 32 for resource in function.resources}


def test_settings_read_the_key_and_the_previous_one_in_that_order():
    settings = Settings.from_env({"CURSOR_KEY": KEY, "CURSOR_KEY_PREVIOUS": OLD_KEY})
    assert settings.cursor_keys == (KEY.encode(), OLD_KEY.encode())
    assert Settings.from_env({"CURSOR_KEY": KEY}).cursor_keys == (KEY.encode(),)


@pytest.mark.parametrize("function", FUNCTIONS.values(), ids=lambda f: f.key)
def test_on_lambda_each_function_requires_the_cursor_key(function):
    env = names_of(function)
    del env["CURSOR_KEY"]

    assert SECRETS["cursor"] in function.resources
    with pytest.raises(MissingSetting, match="CURSOR_KEY"):
        Settings.from_env(env, required=function.resources)
    Settings.from_env({**env, "CURSOR_KEY": KEY}, required=function.resources)


@pytest.mark.parametrize(
    "env",
    [{"CURSOR_KEY": "too short"}, {"CURSOR_KEY": KEY, "CURSOR_KEY_PREVIOUS": "x" * 31}],
)
def test_a_key_shorter_than_32_bytes_is_refused_at_start(env):
    with pytest.raises(ValueError, match="CURSOR_KEY"):
        Settings.from_env(env)


def test_a_previous_key_without_a_current_one_is_refused():
    with pytest.raises(MissingSetting, match="CURSOR_KEY"):
        Settings.from_env({"CURSOR_KEY_PREVIOUS": OLD_KEY})


def test_the_keys_never_show_in_the_settings_repr():
    settings = Settings.from_env({"CURSOR_KEY": KEY, "CURSOR_KEY_PREVIOUS": OLD_KEY})
    assert KEY not in repr(settings)
    assert OLD_KEY not in repr(settings)


def test_without_a_key_no_service_that_lists_can_be_built():
    settings = Settings.from_env({})
    assert settings.cursor_keys == ()
    for build in (cursor_codec, dynamo_user_service, dynamo_asset_service):
        with pytest.raises(MissingSetting, match="CURSOR_KEY"):
            build(settings)


def test_the_composition_root_signs_with_the_current_key_and_accepts_the_previous():
    before = cursor_codec(Settings.from_env({"CURSOR_KEY": OLD_KEY}))
    during = cursor_codec(Settings.from_env({"CURSOR_KEY": KEY, "CURSOR_KEY_PREVIOUS": OLD_KEY}))
    after = cursor_codec(Settings.from_env({"CURSOR_KEY": KEY}))
    query = {"status": None}

    assert during.decode(before.encode(query, POSITION), query) == POSITION
    assert after.decode(during.encode(query, POSITION), query) == POSITION


def test_make_run_without_a_key_signs_with_a_random_key_per_process_and_says_so(monkeypatch):
    monkeypatch.delenv("CURSOR_KEY", raising=False)
    monkeypatch.delenv("CURSOR_KEY_PREVIOUS", raising=False)
    environment = Settings.from_env()

    one, other = local_settings("http://127.0.0.1:1"), local_settings("http://127.0.0.1:1")

    assert len(one.cursor_keys) == 1
    assert len(one.cursor_keys[0]) >= 32
    assert one.cursor_keys != other.cursor_keys
    assert "random key" in cursor_key_note(environment)
    assert "CURSOR_KEY" in cursor_key_note(environment)


def test_make_run_with_a_key_uses_it_and_says_so(monkeypatch):
    monkeypatch.setenv("CURSOR_KEY", KEY)
    environment = Settings.from_env()

    assert local_settings("http://127.0.0.1:1", environment).cursor_keys == (KEY.encode(),)
    assert cursor_key_note(environment) == "Cursors:  signed with CURSOR_KEY"
