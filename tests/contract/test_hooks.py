"""The contract suite's hooks on the requests Schemathesis labels valid."""

from __future__ import annotations

from contract.hooks import without_invalid_optional_headers
from tests.contract.targets import load_schema

schema = load_schema()


def test_an_optional_header_its_schema_refuses_is_left_out_and_the_others_kept():
    operation = schema["/users/{userId}"]["PATCH"]
    case = operation.Case(
        path_parameters={"userId": "3f2b9c1e-8d4a-4f6b-9a7e-2c1d0e5f4a3b"},
        headers={"If-Match": "0", "If-None-Match": '"1"', "Authorization": "Bearer x"},
        body={"name": "Ada"},
    )

    without_invalid_optional_headers(case)

    assert case.headers == {"If-None-Match": '"1"', "Authorization": "Bearer x"}
