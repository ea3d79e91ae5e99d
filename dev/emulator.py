"""The embedded AWS emulator: moto's server for DynamoDB and S3, in this process, on loopback."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any

import boto3
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from api.aws.dynamo import create_table_request
from api.resources import BUCKETS, TABLES
from api.settings import Settings
from dev.s3_copy_conditions import CopyConditionsLayer
from dev.s3_cors import BucketCorsLayer, template_cors_rules
from dev.s3_post_policy import PostPolicyLayer

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "emulator",
    "AWS_SECRET_ACCESS_KEY": "emulator",
}


def use_emulator_credentials() -> None:
    """Give boto3 credentials for the emulator unless some are already set."""
    for name, value in FAKE_CREDENTIALS.items():
        os.environ.setdefault(name, value)


def known_credentials() -> dict[str, str]:
    """The access keys whose signatures the emulator checks, with their secrets: the
    emulator's own, and those in the environment, which this process's clients sign with."""
    known = {FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"]: FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]}
    access_key, secret = (
        os.environ.get("AWS_ACCESS_KEY_ID"),
        os.environ.get("AWS_SECRET_ACCESS_KEY"),
    )
    if access_key and secret:
        known[access_key] = secret
    return known


class _OneAtATime:
    """Serves one request at a time: moto checks a transaction's conditions and then
    writes without a lock, so concurrent requests could both pass; DynamoDB cannot."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with self._lock:
            return list(self._app(environ, start_response))


class _QuietRequestHandler(MotoRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """The API logs its own requests; the emulator's would only repeat them."""


def emulator_app(credentials: Mapping[str, str], clock: Callable[[], float] = time.time) -> Any:
    """moto's WSGI app behind what S3 checks and moto does not: the bucket's CORS rules, the
    policy of a presigned POST (signed with one of `credentials`, checked at `clock`'s time)
    and the preconditions of a CopyObject; serving one request at a time."""
    moto = DomainDispatcherApplication(create_backend_app)
    s3 = PostPolicyLayer(CopyConditionsLayer(moto), credentials, clock)
    return _OneAtATime(BucketCorsLayer(s3))


class Emulator:
    """moto on loopback in a background thread; `port=0` picks a free port. It checks the
    signatures of presigned POSTs made with `credentials` (by default known_credentials())."""

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        *,
        credentials: Mapping[str, str] | None = None,
    ) -> None:
        app = emulator_app(known_credentials() if credentials is None else credentials)
        self._server: BaseWSGIServer = make_server(
            host, port, app, threaded=True, request_handler=_QuietRequestHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Emulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@cache
def _client(service: str, region: str, endpoint_url: str | None) -> Any:
    return boto3.client(service, region_name=region, endpoint_url=endpoint_url)


def create_resources(settings: Settings) -> None:
    """Create every table of api/resources.py (as its pynamodb model declares it, which a test
    proves equal to template.yaml's, with its TTL attribute) and every bucket, under the names
    in `settings`, with the CORS rules template.yaml gives it for `settings.allowed_origins`
    (none without origins)."""
    dynamodb = _client("dynamodb", settings.region, settings.aws_endpoint_url)
    for table in TABLES.values():
        dynamodb.create_table(**create_table_request(table, settings))
        dynamodb.update_time_to_live(
            TableName=settings.table(table.key),
            TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
        )
    s3 = _client("s3", settings.region, settings.aws_endpoint_url)
    location = {} if settings.region == "us-east-1" else {"LocationConstraint": settings.region}
    for bucket in BUCKETS.values():
        s3.create_bucket(
            Bucket=settings.bucket(bucket.key),
            **({"CreateBucketConfiguration": location} if location else {}),
        )
        rules = template_cors_rules(bucket.logical_id, settings.allowed_origins)
        if settings.allowed_origins and rules:
            s3.put_bucket_cors(
                Bucket=settings.bucket(bucket.key),
                CORSConfiguration={"CORSRules": [rule.as_s3() for rule in rules]},
            )
