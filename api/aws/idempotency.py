"""The idempotency table: the records of Powertools' idempotency utility, in DynamoDB."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from api.aws.clients import aws_client
from api.settings import Settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer

IDEMPOTENCY_TABLE = "idempotency"


class IdempotencyRecord(Model):
    """A record as Powertools' DynamoDBPersistenceLayer writes it (its defaults: key `id`,
    TTL `expiration`); the application never reads or writes it through this model, which
    only declares the table."""

    class Meta:
        table_name = "Idempotency"

    id = UnicodeAttribute(hash_key=True)
    expiration = NumberAttribute(null=True)


def dynamo_persistence(settings: Settings) -> Callable[[str], BasePersistenceLayer]:
    """The persistence layer of each operation's keys: the idempotency table in `settings`,
    through the process's one DynamoDB client, built on first use."""

    def persistence_for(operation: str) -> BasePersistenceLayer:
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

        return DynamoDBPersistenceLayer(
            table_name=settings.table(IDEMPOTENCY_TABLE),
            boto3_client=aws_client("dynamodb", settings),
        )

    return persistence_for
