"""Which AWS errors api/aws/faults.py calls transient (503), and how it reads a cancelled
transaction's reasons, by DynamoDB's documented meaning of each."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)
from pynamodb.exceptions import GetError, PutError, QueryError, VerboseClientError

from api.aws.faults import cancellation, error_code, is_transient


def client_error(code: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "Query",
    )


def as_pynamodb(error: ClientError) -> QueryError:
    """What pynamodb raises: its VerboseClientError keeps only the error code, `from` the
    botocore error; its QueryError has that as its cause."""
    try:
        try:
            raise error
        except ClientError as original:
            raise VerboseClientError({"Error": error.response["Error"]}, "Query", {}) from original
    except VerboseClientError as verbose:
        return QueryError("Failed to query items", verbose)


@pytest.mark.parametrize(
    ("code", "status"),
    [("502", 502), ("500", 500), ("SomethingNew", 503), ("ThrottlingException", 400)],
)
def test_a_5xx_or_throttling_under_a_pynamodb_error_is_transient(code, status):
    assert is_transient(client_error(code, status))
    assert is_transient(as_pynamodb(client_error(code, status)))


@pytest.mark.parametrize(
    "cause",
    [
        EndpointConnectionError(endpoint_url="http://x"),
        ConnectionClosedError(endpoint_url="http://x"),
        ReadTimeoutError(endpoint_url="http://x"),
    ],
    ids=lambda cause: type(cause).__name__,
)
def test_no_answer_under_a_pynamodb_error_is_transient_and_has_no_code(cause):
    error = PutError("Failed to put item", cause)

    assert is_transient(error)
    assert error_code(error) is None  # where pynamodb's cause_response_code raises


@pytest.mark.parametrize(
    "error",
    [
        client_error("ValidationException", 400),
        client_error("ConditionalCheckFailedException", 400),
        GetError("Failed to get item", NoCredentialsError()),
        ParamValidationError(report="bad"),
    ],
    ids=["ValidationException", "ConditionalCheckFailed", "no credentials", "bad parameters"],
)
def test_a_refusal_or_an_error_of_ours_is_not_transient(error):
    assert not is_transient(error)


def test_the_code_of_a_pynamodb_error_is_the_one_aws_answered():
    assert error_code(as_pynamodb(client_error("ConditionalCheckFailedException", 400))) == (
        "ConditionalCheckFailedException"
    )


@pytest.mark.parametrize(
    ("codes", "kind"),
    [
        (["None", None], "none"),
        (["ConditionalCheckFailed", "None"], "conflict"),
        (["TransactionConflict"], "conflict"),
        (["ThrottlingError", "ConditionalCheckFailed"], "transient"),
        (["ProvisionedThroughputExceeded"], "transient"),
        (["RequestLimitExceeded"], "transient"),
        (["ValidationError"], "refused"),
        (["ItemCollectionSizeLimitExceeded"], "refused"),
        (["ThrottlingError", "ValidationError"], "refused"),
        (["SomeReasonDynamoDBAddsLater"], "refused"),
    ],
)
def test_a_cancelled_transaction_is_judged_by_its_worst_reason(codes, kind):
    assert cancellation(codes) == kind
