"""The fair floor's Lambda entry standing for the users function, which has DynamoDB clients
only."""

from __future__ import annotations

from bench.fair_floor import built_during_init

handler = built_during_init("dynamodb")
