"""The app's factory, as uvicorn calls it in the process serving `make run` (again at each
restart of RELOAD=1): the emulator, the tokens and the cursors of the process that started
it stay valid in every app it makes."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from uvicorn.importer import import_from_string

from api.settings import MissingSetting, Settings
from dev.app import create_local_app
from dev.server import APP_FACTORY, local_settings, worker_environment
from tests.local_server import local_server


def test_uvicorn_finds_the_factory_by_its_name():
    assert import_from_string(APP_FACTORY) is create_local_app


def test_an_app_made_after_a_restart_accepts_the_tokens_cursors_and_data_of_the_first(
    worker_env,
):
    auth = {"Authorization": f"Bearer {worker_env().token('ada', admin=True)}"}
    with TestClient(create_local_app(), headers=auth) as before:
        for number in range(3):
            body = {"email": f"u{number}@example.com", "name": f"U{number}"}
            assert before.post("/users", json=body).status_code == 201
        page = before.get("/users", params={"limit": 2}).json()

    with TestClient(create_local_app(), headers=auth) as after:
        rest = after.get("/users", params={"limit": 2, "cursor": page["nextCursor"]})

    assert rest.status_code == 200
    assert len(page["items"]) + len(rest.json()["items"]) == 3


def test_the_factory_refuses_to_run_without_the_emulator_of_make_run(worker_env, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    with pytest.raises(MissingSetting, match="AWS_ENDPOINT_URL must name the emulator"):
        create_local_app()


def test_the_environment_handed_to_the_factory_carries_the_random_cursor_key(monkeypatch):
    monkeypatch.delenv("CURSOR_KEY", raising=False)
    monkeypatch.delenv("CURSOR_KEY_PREVIOUS", raising=False)
    settings = local_settings("http://127.0.0.1:1")

    handed = worker_environment("http://127.0.0.1:1", settings, 8123)

    assert handed["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1"
    assert handed["PORT"] == "8123"
    assert local_settings("http://127.0.0.1:1", Settings.from_env(handed)) == settings


def test_the_environment_handed_to_the_factory_carries_both_keys_of_a_rotation(monkeypatch):
    environment = Settings.from_env({"CURSOR_KEY": "k" * 32, "CURSOR_KEY_PREVIOUS": "p" * 32})
    settings = local_settings("http://127.0.0.1:1", environment)

    handed = worker_environment("http://127.0.0.1:1", settings, 8123)

    assert (handed["CURSOR_KEY"], handed["CURSOR_KEY_PREVIOUS"]) == ("k" * 32, "p" * 32)


def test_make_run_with_reload_serves_through_uvicorn_s_reloader_and_says_so():
    with local_server(RELOAD="1") as server:
        with server.client() as http:
            assert http.get("/users").status_code == 200
        # The reloader serves from a process of its own, which it starts again on a change.
        pid = server.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        commands = [Path(f"/proc/{child}/cmdline").read_bytes() for child in children]
        assert sum(b"spawn_main" in command for command in commands) == 1
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=20) == 0
        output = server.output()
    assert "Reload:   on changes to the Python files of api/ and dev/ (RELOAD=1)" in output
    assert "Stopped." in output
    assert "Warning" not in output
