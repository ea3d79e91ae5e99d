"""The registry of what the application is made of: its tables, its bucket and its Lambda
functions. Settings, the composition root, the emulator, the API definition of the template
and the tests all read these lists, so that adding a resource is one entry here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    """A DynamoDB table: its key in the settings, the environment variable naming it on
    Lambda, its local name, its logical id in template.yaml and the pynamodb model that
    declares its keys and indexes (`module:Class`)."""

    key: str
    env: str
    local_name: str
    logical_id: str
    model: str
    ttl_attribute: str


@dataclass(frozen=True)
class Bucket:
    """An S3 bucket, named as a Table is."""

    key: str
    env: str
    local_name: str
    logical_id: str


@dataclass(frozen=True)
class Function:
    """A Lambda function: its logical id in template.yaml, its Lambda entry point, the tags
    of the spec's operations it serves, and the tables and buckets it may use."""

    key: str
    logical_id: str
    handler: str
    tags: tuple[str, ...]
    tables: tuple[str, ...]
    buckets: tuple[str, ...] = ()

    @property
    def resources(self) -> tuple[Table | Bucket, ...]:
        return tuple(TABLES[key] for key in self.tables) + tuple(
            BUCKETS[key] for key in self.buckets
        )


TABLES = {
    table.key: table
    for table in (
        Table("users", "USERS_TABLE", "Users", "UsersTable", "api.users.storage:UserItem", "ttl"),
        Table(
            "assets", "ASSETS_TABLE", "Assets", "AssetsTable", "api.assets.storage:AssetItem", "ttl"
        ),
        Table(
            "idempotency",
            "IDEMPOTENCY_TABLE",
            "Idempotency",
            "IdempotencyTable",
            "api.aws.idempotency:IdempotencyRecord",
            "expiration",
        ),
    )
}

BUCKETS = {
    bucket.key: bucket for bucket in (Bucket("assets", "ASSETS_BUCKET", "assets", "AssetsBucket"),)
}

FUNCTIONS = {
    function.key: function
    for function in (
        Function(
            "users",
            "UsersFunction",
            "api.functions.users.handler",
            tags=("operations", "users"),
            tables=("users", "idempotency"),
        ),
        Function(
            "assets",
            "AssetsFunction",
            "api.functions.assets.handler",
            tags=("assets",),
            tables=("assets", "idempotency"),
            buckets=("assets",),
        ),
    )
}


def function_for_tag(tag: str) -> Function | None:
    """The function serving the operations tagged `tag`, if any."""
    return next((f for f in FUNCTIONS.values() if tag in f.tags), None)
