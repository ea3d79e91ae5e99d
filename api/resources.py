"""The registry of what the application is made of: its tables, its bucket, its secrets and
its Lambda functions. Settings, the composition root, the emulator, the API definition of the
template and the tests all read these lists, so that adding a resource is one entry here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    """A DynamoDB table: its key in the settings, the environment variable naming it on
    Lambda, its local name, its logical id in template.yaml, the pynamodb model that
    declares its keys and indexes (`module:Class`), its TTL attribute, and whether it holds
    records worth recovering (point-in-time recovery on, restorable into a table that the
    template's Existing<logical id> parameter then names)."""

    key: str
    env: str
    local_name: str
    logical_id: str
    model: str
    ttl_attribute: str
    recoverable: bool = True


@dataclass(frozen=True)
class Bucket:
    """An S3 bucket, named as a Table is."""

    key: str
    env: str
    local_name: str
    logical_id: str


@dataclass(frozen=True)
class Secret:
    """A secret setting: its key, the environment variable carrying it on Lambda, the logical
    id of the AWS::SecretsManager::Secret that template.yaml generates it in, and the variable
    carrying its previous value during a rotation."""

    key: str
    env: str
    logical_id: str
    previous_env: str


@dataclass(frozen=True)
class Function:
    """A Lambda function: its logical id in template.yaml, its Lambda entry point, the tags
    of the spec's operations it serves, the tables and buckets it may use and the secrets
    it needs."""

    key: str
    logical_id: str
    handler: str
    tags: tuple[str, ...]
    tables: tuple[str, ...]
    buckets: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()

    @property
    def node_logical_id(self) -> str:
        """Its logical id in template.yaml when it runs the TypeScript bundle (Runtime nodejs)."""
        return self.logical_id.removesuffix("Function") + "NodeFunction"

    @property
    def node_bundle(self) -> str:
        """The file of the TypeScript bundle (ts/dist/) that exports its Lambda handler."""
        return f"{self.key}-handler.js"

    @property
    def node_handler(self) -> str:
        """Its Lambda entry point in the TypeScript bundle."""
        return self.node_bundle.removesuffix(".js") + ".handler"

    @property
    def resources(self) -> tuple[Table | Bucket | Secret, ...]:
        """What the function must be told on Lambda (Settings.from_env requires each)."""
        return (
            tuple(TABLES[key] for key in self.tables)
            + tuple(BUCKETS[key] for key in self.buckets)
            + tuple(SECRETS[key] for key in self.secrets)
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
        Table(
            "rate_limits",
            "RATE_LIMITS_TABLE",
            "RateLimits",
            "RateLimitsTable",
            "api.aws.rate_limits:RateLimitWindow",
            "ttl",
            # Counters of the current minute: nothing in them outlives a restore.
            recoverable=False,
        ),
    )
}

BUCKETS = {
    bucket.key: bucket for bucket in (Bucket("assets", "ASSETS_BUCKET", "assets", "AssetsBucket"),)
}

# The key of the page cursors' HMAC (api/rules/cursors.py): both functions list.
SECRETS = {
    secret.key: secret
    for secret in (Secret("cursor", "CURSOR_KEY", "CursorKeySecret", "CURSOR_KEY_PREVIOUS"),)
}

FUNCTIONS = {
    function.key: function
    for function in (
        Function(
            "users",
            "UsersFunction",
            "api.functions.users.handler",
            tags=("operations", "users"),
            tables=("users", "idempotency", "rate_limits"),
            secrets=("cursor",),
        ),
        Function(
            "assets",
            "AssetsFunction",
            "api.functions.assets.handler",
            tags=("assets",),
            tables=("assets", "idempotency", "rate_limits"),
            buckets=("assets",),
            secrets=("cursor",),
        ),
    )
}


def function_for_tag(tag: str) -> Function | None:
    """The function serving the operations tagged `tag`, if any."""
    return next((f for f in FUNCTIONS.values() if tag in f.tags), None)
