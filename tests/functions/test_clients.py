"""The functions' AWS clients: opened at init in one botocore session, opened anew on demand
(after a SnapStart restore)."""

from __future__ import annotations

import pytest

from api.aws.clients import aws_client, aws_session, forget_clients
from api.aws.dynamo import model_connection
from api.functions.clients import Clients
from api.settings import Settings
from api.users.storage import bind_user_table

SETTINGS = Settings(region="us-east-1", aws_endpoint_url="http://127.0.0.1:1")


@pytest.fixture(autouse=True)
def no_session_left_behind():
    # The process's session keeps the credentials it resolved first: the next tests must
    # not inherit these, resolved before the emulator's were set.
    forget_clients()
    yield
    forget_clients()


def test_opening_builds_the_tables_and_services_clients_in_the_process_session():
    clients = Clients(SETTINGS)
    model = clients.table(bind_user_table(SETTINGS))
    clients.service("dynamodb")

    clients.open()

    connection = model_connection(model)
    assert connection._client is not None
    assert connection.session is aws_session(SETTINGS)
    assert aws_client("dynamodb", SETTINGS) is aws_client("dynamodb", SETTINGS)


def test_reopening_builds_new_clients_and_a_new_session():
    clients = Clients(SETTINGS)
    old_session = aws_session(SETTINGS)
    model = clients.table(bind_user_table(SETTINGS))
    clients.service("dynamodb")
    clients.open()
    before = (
        model_connection(model).client,
        aws_client("dynamodb", SETTINGS),
        aws_session(SETTINGS),
    )

    clients.reopen()

    after = (
        model_connection(model).client,
        aws_client("dynamodb", SETTINGS),
        aws_session(SETTINGS),
    )
    assert all(new is not old for new, old in zip(after, before, strict=True))
    assert model_connection(model).session is aws_session(SETTINGS) is not old_session
