"""The functions build their app and clients during init, and warm it up unseen."""

from __future__ import annotations

import json
from unittest.mock import Mock

import pytest
from starlette.responses import JSONResponse

from api.functions.builders import WARM_UPS, users_function
from api.functions.clients import Clients
from api.functions.runtime import WarmUp, WarmUpFailed, lambda_handler, warm_up_event
from api.settings import Settings
from api.users.service import UserService
from dev.fakes import InMemoryUserRepository
from tests.events import FakeLambdaContext, make_http_event


def on_fakes() -> Settings:
    return Settings(log_level="INFO", cursor_keys=(b"tests only: a cursor key of 32 bytes",))


def test_building_a_function_warms_it_up_without_a_log_line_and_its_first_request_is_cold(
    capsys,
):
    handler = users_function(on_fakes(), users=UserService(InMemoryUserRepository()))
    assert capsys.readouterr().out == ""

    handler(make_http_event(path="/health"), FakeLambdaContext())
    handler(make_http_event(path="/health"), FakeLambdaContext())

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["operation"], line["cold_start"]) for line in lines] == [
        ("getHealth", True),
        ("getHealth", False),
    ]


def test_every_functions_warm_up_requests_are_routed_and_answered_as_they_expect():
    from bench.handlers import app_with_fakes

    for group in WARM_UPS:
        handler, _ = app_with_fakes(group)  # would raise WarmUpFailed otherwise
        for request in WARM_UPS[group]:
            response = handler(warm_up_event(request), FakeLambdaContext())
            assert response["statusCode"] == request.status
            assert response["headers"]["x-request-id"] == "warm-up"


def test_a_warm_up_answered_with_another_status_stops_the_init():
    async def app(scope, receive, send):
        await JSONResponse({"no": "route"}, status_code=404)(scope, receive, send)

    with pytest.raises(WarmUpFailed, match="GET /health answered 404"):
        lambda_handler(lambda: app, warm_ups=(WarmUp("GET", "/health"),))


def test_the_clients_are_opened_during_init_before_any_request():
    clients = Mock()

    lambda_handler(Mock(), clients=clients)

    clients.open.assert_called_once_with()


@pytest.mark.parametrize("function", ["users", "assets"])
def test_with_the_rate_limit_on_its_tables_client_is_built_during_init(function, monkeypatch):
    from api.aws.rate_limits import RateLimitWindow
    from api.functions import builders

    recorded: list[type] = []

    def record(self, model):
        recorded.append(model)
        return model

    monkeypatch.setattr(Clients, "table", record)
    monkeypatch.setattr(Clients, "open", lambda self: None)
    settings = Settings(
        rate_limit_per_minute=600, cursor_keys=(b"tests only: a cursor key of 32 bytes",)
    )

    builders.FUNCTION_BUILDERS[function](settings)

    assert [model for model in recorded if issubclass(model, RateLimitWindow)]
