"""ops/consumption.py: item sizes as DynamoDB bills them, the committed counts current, and
every operation of the spec counted."""

from __future__ import annotations

import json

import pytest

from api.spec import load_spec, operations
from ops.consumption import (
    CONSUMPTION_PATH,
    attribute_size,
    count,
    item_size,
    read_units,
    render,
    write_units,
)


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ({"S": "héllo"}, 6),  # UTF-8 bytes
        ({"N": "1234567"}, 5),  # 7 significant digits: 4 bytes, and 1
        ({"N": "-0.0012300"}, 3),  # leading and trailing zeros do not count
        ({"BOOL": True}, 1),
        ({"NULL": True}, 1),
        ({"B": "aGVsbG8="}, 5),
        ({"SS": ["a", "bc"]}, 3),
        ({"L": [{"S": "ab"}, {"N": "1"}]}, 3 + (1 + 2) + (1 + 2)),
        ({"M": {"k": {"S": "v"}}}, 3 + 1 + 1 + 1),
    ],
)
def test_attribute_sizes_follow_dynamodbs_rules(value, size):
    assert attribute_size(value) == size


def test_an_item_is_its_names_and_values_and_units_round_up():
    assert item_size({"userId": {"S": "x" * 36}, "n": {"N": "10"}}) == 6 + 36 + 1 + 2
    assert item_size(None) == 0
    assert (write_units(0), write_units(1024), write_units(1025)) == (1, 1, 2)
    assert read_units(4096, consistent=True) == 1
    assert read_units(4097, consistent=False) == 1
    assert read_units(0, consistent=False) == 0.5


@pytest.fixture(scope="module")
def counted():
    return count()


def test_the_committed_consumption_is_what_the_application_consumes_now(counted):
    assert render(counted) == CONSUMPTION_PATH.read_text(encoding="utf-8"), (
        "ops/consumption.json is stale: run `python -m ops consumption`"
    )


def test_every_operation_of_the_spec_is_counted(counted):
    spec_operations = {operation["operationId"] for _, _, operation, _ in operations(load_spec())}
    assert set(counted) == spec_operations | {"confirmUpload"}


def test_the_counts_show_what_each_operation_does(counted):
    # A user is written with its email guard item in one transaction (2 units per KB each)
    # and copied into its three indexes; a read is one strongly consistent GetItem. Every
    # authenticated request adds its caller's count: one UpdateItem of the rate limits.
    assert counted["createUser"]["dynamodb_write_units"] == {
        "users": 2 * 1 + 2 * 1 + 3,
        "rate_limits": 1,
    }
    assert counted["getUser"] == {
        "dynamodb_read_units": {"users": 1.0},
        "dynamodb_write_units": {"rate_limits": 1},
        "s3_requests": {},
    }
    # The upload is the client's POST; its confirmation reads the object and copies it.
    assert counted["createAsset"]["s3_requests"] == {"PostObject": 1}
    assert counted["confirmUpload"]["s3_requests"] == {"CopyObject": 1, "HeadObject": 1}
    assert counted["downloadAsset"]["s3_requests"] == {"GetObject": 1}
    assert counted["getHealth"] == json.loads(
        '{"dynamodb_read_units": {}, "dynamodb_write_units": {}, "s3_requests": {}}'
    )
