"""Operating the deployed service: disaster recovery (restore) and the cost model (cost)."""

from __future__ import annotations

import argparse
from typing import Any


def add_dynamodb_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every tool that talks to DynamoDB takes: --region and --endpoint-url."""
    parser.add_argument("--region", default=None)
    parser.add_argument(
        "--endpoint-url", default=None, help="another endpoint, e.g. the emulator's"
    )


def dynamodb_client(args: argparse.Namespace) -> Any:
    """A boto3 DynamoDB client for the region and endpoint of `args` (imported here only)."""
    import boto3

    return boto3.client("dynamodb", region_name=args.region, endpoint_url=args.endpoint_url)
