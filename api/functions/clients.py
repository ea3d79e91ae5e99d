"""The AWS clients of one Lambda function, built during init rather than on first use, and
built anew after a SnapStart restore (credentials and connections must not be shared by
the environments restored from one snapshot)."""

from __future__ import annotations

from typing import TypeVar

from pynamodb.models import Model

from api.aws.clients import aws_client, aws_session, forget_clients
from api.aws.dynamo import model_connection
from api.settings import Settings

M = TypeVar("M", bound=type[Model])


class Clients:
    """The botocore clients a function uses: those of its tables' pynamodb models, and the
    process's shared clients of the services it names."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._models: list[type[Model]] = []
        self._services: list[str] = []

    def table(self, model: M) -> M:
        """Record `model`'s connection as one to open; `model`."""
        self._models.append(model)
        return model

    def service(self, name: str) -> None:
        """Record the shared client of the AWS service `name` as one to open."""
        self._services.append(name)

    def open(self) -> None:
        """Build every recorded client now (credentials are read, nothing is sent to AWS)."""
        for model in self._models:
            share_session(model, self._settings)
            _ = model_connection(model).client
        for name in self._services:
            aws_client(name, self._settings)

    def reopen(self) -> None:
        """Drop every client with its connections and credentials, and build them anew."""
        forget_clients()
        for model in self._models:
            drop_connection_client(model)
        self.open()


def share_session(model: type[Model], settings: Settings) -> None:
    """Make `model`'s pynamodb connection build its client in the process's botocore session,
    whose loader has read (or will read) the DynamoDB model once for all its clients
    (measured: a second session reads it again, about 50 ms of a cold start). A private
    name of pynamodb (Connection._local), named here only; tests/functions/test_clients.py
    fails when pynamodb renames it."""
    model_connection(model)._local.session = aws_session(settings)


def drop_connection_client(model: type[Model]) -> None:
    """Make `model`'s pynamodb connection build a new botocore client and session on its next
    use. Private names of pynamodb (Connection._client, Connection._local), named here only;
    tests/functions/test_clients.py fails when pynamodb renames them."""
    connection = model_connection(model)
    connection._client = None
    connection._local.session = None
