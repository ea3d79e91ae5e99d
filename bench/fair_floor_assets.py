"""The fair floor's Lambda entry standing for the assets function, which has DynamoDB and S3
clients (api/resources.py gives it the bucket)."""

from __future__ import annotations

from bench.fair_floor import built_during_init

handler = built_during_init("dynamodb", "s3")
