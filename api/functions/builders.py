"""The composition root: one builder per Lambda function of api/resources.py, and the local
app that serves them all. The template's entry points, `make run`, the contract targets, the
benchmark and the tests build the application through these and nothing else.

Each feature's modules are imported by the builders that use them, so that a function's
init imports its own feature only (the users feature, with IDNA's tables, is about 60
million instructions of the assets function's cold start otherwise, measured)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from starlette.types import ASGIApp

from api.aws.idempotency import dynamo_persistence
from api.aws.rate_limits import DynamoHitCounter, bind_rate_limit_windows, dynamo_hit_counter
from api.functions.clients import Clients
from api.functions.lambda_spec import lambda_spec
from api.functions.runtime import LambdaHandler, WarmUp, lambda_handler
from api.resources import FUNCTIONS, SECRETS, Function
from api.rules.cursors import CursorCodec
from api.rules.rate_limits import HitCounter, RateLimit
from api.settings import MissingSetting, Settings
from api.spec import Spec, for_tags, load_spec
from api.web.app import create_app
from api.web.idempotency import IdempotentRequests
from api.web.identity import Authenticator, gateway_claims
from api.web.responses import Operation

if TYPE_CHECKING:
    from api.assets.service import AssetService
    from api.assets.storage import AssetItem
    from api.users.service import UserService
    from api.users.storage import UserItem


def cursor_codec(settings: Settings) -> CursorCodec:
    """The page cursors signed with the keys of `settings`: every function and every
    instance of one accept each other's cursors."""
    if not settings.cursor_keys:
        raise MissingSetting(f"{SECRETS['cursor'].env} must be set: it signs the page cursors")
    return CursorCodec(settings.cursor_keys)


def dynamo_user_service(settings: Settings, model: type[UserItem] | None = None) -> UserService:
    """Users backed by the DynamoDB table named in `settings` (through `model`, bound to it,
    when given); connects on first use."""
    from api.users.service import UserService
    from api.users.storage import DynamoUserRepository, bind_user_table

    return UserService(
        DynamoUserRepository(model or bind_user_table(settings)), cursors=cursor_codec(settings)
    )


def dynamo_asset_service(settings: Settings, model: type[AssetItem] | None = None) -> AssetService:
    """Assets in the DynamoDB table and S3 bucket named in `settings`; connects on first use."""
    from api.assets.bucket import S3ObjectStorage
    from api.assets.service import AssetService
    from api.assets.storage import DynamoAssetRepository, bind_asset_table

    return AssetService(
        DynamoAssetRepository(model or bind_asset_table(settings)),
        S3ObjectStorage(settings),
        upload_expires_seconds=settings.upload_url_expires_seconds,
        cursors=cursor_codec(settings),
    )


def dynamo_idempotency(settings: Settings) -> IdempotentRequests:
    """Idempotency keys in the DynamoDB table named in `settings`; connects on first use."""
    return IdempotentRequests(dynamo_persistence(settings))


def rate_limit(settings: Settings, counter: HitCounter | None = None) -> RateLimit | None:
    """Each caller's quota per minute of `settings`, counted in the shared rate-limits
    table (or `counter`); None when the quota is 0, which switches the limit off."""
    if settings.rate_limit_per_minute == 0:
        return None
    return RateLimit(counter or dynamo_hit_counter(settings), settings.rate_limit_per_minute)


def function_hit_counter(
    settings: Settings, clients: Clients, counter: HitCounter | None = None
) -> HitCounter | None:
    """A function's counter for the rate limit: `counter`, or the rate-limits table's with
    its client among the function's, built during init (on first use it was about a fifth
    of a cold start's instructions, measured); None when the limit is off."""
    if counter is not None or settings.rate_limit_per_minute == 0:
        return counter
    return DynamoHitCounter(clients.table(bind_rate_limit_windows(settings)))


def users_operations(
    settings: Settings,
    *,
    users: UserService | None = None,
    idempotency: IdempotentRequests | None = None,
) -> dict[str, Operation]:
    """The operations the users function serves (its tags: users, operations)."""
    from api.health import get_health
    from api.users.operations import user_operations

    return {
        "getHealth": get_health,
        **user_operations(
            users or dynamo_user_service(settings), idempotency or dynamo_idempotency(settings)
        ),
    }


def assets_operations(
    settings: Settings,
    *,
    assets: AssetService | None = None,
    idempotency: IdempotentRequests | None = None,
) -> dict[str, Operation]:
    """The operations the assets function serves (its tag: assets)."""
    from api.assets.operations import asset_operations

    return asset_operations(
        assets or dynamo_asset_service(settings), idempotency or dynamo_idempotency(settings)
    )


# What each function sends itself during init (api/functions/runtime.py): requests that go
# through routing, an operation or a problem, and the response, without AWS. They carry no
# claims, so a secured operation refuses them (401) before the rate limit, which would
# count them in its table.
WARM_UPS = {
    "users": (WarmUp("GET", "/health"), WarmUp("POST", "/users", body={}, status=401)),
    "assets": (WarmUp("POST", "/assets", body={}, status=401),),
}


def _function_app(
    settings: Settings,
    function: Function,
    operations: Mapping[str, Operation],
    hit_counter: HitCounter | None = None,
) -> Callable[[], ASGIApp]:
    def build() -> ASGIApp:
        spec = for_tags(lambda_spec(), function.tags)
        return create_app(
            settings,
            spec,
            operations,
            # API Gateway's JWT authorizer has verified the token: its claims are trusted.
            authenticate=gateway_claims,
            rate_limit=rate_limit(settings, hit_counter),
            lambda_runtime=True,
        )

    return build


def users_function(
    settings: Settings,
    *,
    users: UserService | None = None,
    idempotency: IdempotentRequests | None = None,
    hit_counter: HitCounter | None = None,
) -> LambdaHandler:
    """The users Lambda function: its operations only, on its own tables; its app and AWS
    clients built now, in the init phase."""
    from api.users.storage import bind_user_table

    clients = Clients(settings)
    if users is None:
        users = dynamo_user_service(settings, clients.table(bind_user_table(settings)))
    if idempotency is None:
        idempotency = dynamo_idempotency(settings)
        clients.service("dynamodb")
    operations = users_operations(settings, users=users, idempotency=idempotency)
    return lambda_handler(
        _function_app(
            settings,
            FUNCTIONS["users"],
            operations,
            function_hit_counter(settings, clients, hit_counter),
        ),
        clients=clients,
        warm_ups=WARM_UPS["users"],
    )


def assets_function(
    settings: Settings,
    *,
    assets: AssetService | None = None,
    idempotency: IdempotentRequests | None = None,
    hit_counter: HitCounter | None = None,
) -> LambdaHandler:
    """The assets Lambda function: its operations, and S3's ObjectCreated events; its app
    and AWS clients built now, in the init phase."""
    from api.assets.s3_events import handle_s3_event
    from api.assets.storage import bind_asset_table

    clients = Clients(settings)
    if assets is None:
        assets = dynamo_asset_service(settings, clients.table(bind_asset_table(settings)))
        clients.service("s3")
    if idempotency is None:
        idempotency = dynamo_idempotency(settings)
        clients.service("dynamodb")
    operations = assets_operations(settings, assets=assets, idempotency=idempotency)
    service = assets
    return lambda_handler(
        _function_app(
            settings,
            FUNCTIONS["assets"],
            operations,
            function_hit_counter(settings, clients, hit_counter),
        ),
        clients=clients,
        warm_ups=WARM_UPS["assets"],
        s3_events=lambda event: handle_s3_event(service, event),
    )


# The builder of each function of api/resources.py, by its key.
FUNCTION_BUILDERS: dict[str, Callable[[Settings], LambdaHandler]] = {
    "users": users_function,
    "assets": assets_function,
}


def local_app(
    settings: Settings,
    *,
    authenticate: Authenticator,
    users: UserService | None = None,
    assets: AssetService | None = None,
    idempotency: IdempotentRequests | None = None,
    hit_counter: HitCounter | None = None,
    spec: Spec | None = None,
) -> ASGIApp:
    """Every function's operations in one ASGI app, as `make run` serves them, with the
    docs; callers named by `authenticate`, which verifies their tokens itself."""
    idempotency = idempotency or dynamo_idempotency(settings)
    operations = {
        **users_operations(settings, users=users, idempotency=idempotency),
        **assets_operations(settings, assets=assets, idempotency=idempotency),
    }
    return create_app(
        settings,
        spec or load_spec(),
        operations,
        authenticate=authenticate,
        rate_limit=rate_limit(settings, hit_counter),
    )
