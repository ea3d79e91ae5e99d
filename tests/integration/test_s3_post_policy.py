"""The emulator refuses a presigned POST upload where S3 would, as S3 answers (moto alone
checks none of the policy), and stores what S3 would store."""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config

from api.assets.bucket import S3ObjectStorage
from api.settings import Settings
from dev.emulator import FAKE_CREDENTIALS
from tests.transfers import post

KEY = "uploads/00000000-0000-4000-8000-000000000001/report.txt"
DATA = b"hello"


@pytest.fixture
def storage(settings: Settings) -> S3ObjectStorage:
    return S3ObjectStorage(settings)


@pytest.fixture
def ticket(storage: S3ObjectStorage) -> dict[str, Any]:
    url, fields = storage.presign_upload(KEY, "text/plain", len(DATA), 60)
    return {"url": url, "fields": fields}


def s3_client(settings: Settings, access_key: str, secret: str):
    return boto3.client(
        "s3",
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint_url,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret,
        config=Config(signature_version="s3v4"),
    )


def signed_ticket(settings: Settings, *, expires_in=60, credentials=None, conditions=None):
    access_key, secret = credentials or (
        FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    return s3_client(settings, access_key, secret).generate_presigned_post(
        Bucket=settings.bucket("assets"),
        Key=KEY,
        Fields={"Content-Type": "text/plain"},
        Conditions=conditions
        or [{"Content-Type": "text/plain"}, ["content-length-range", len(DATA), len(DATA)]],
        ExpiresIn=expires_in,
    )


def s3_error(response: httpx.Response) -> dict[str, str]:
    """S3's XML error document, element by element."""
    assert response.headers["content-type"] == "application/xml"
    root = ET.fromstring(response.content)
    assert root.tag == "Error"
    return {child.tag: child.text or "" for child in root}


def assert_refused(response, storage, status, code, message=None):
    assert response.status_code == status, response.text
    error = s3_error(response)
    assert error["Code"] == code
    if message is not None:
        assert error["Message"] == message
    assert error["RequestId"]
    assert storage.head(KEY) is None  # nothing was stored
    return error


def test_a_valid_upload_is_stored_with_its_declared_type(ticket, storage):
    response = post(ticket, DATA)

    assert response.status_code == 204, response.text
    stored = storage.head(KEY)
    assert stored is not None
    assert (stored.size, stored.content_type) == (len(DATA), "text/plain")


def test_another_key_is_refused(ticket, storage, settings):
    other = "assets/00000000-0000-4000-8000-000000000001/report.txt"

    response = post(ticket, DATA, fields={"key": other})

    assert_refused(
        response,
        storage,
        403,
        "AccessDenied",
        f'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "{KEY}"]',
    )
    assert storage.head(other) is None


def test_another_content_type_is_refused(ticket, storage):
    response = post(ticket, DATA, fields={"Content-Type": "text/html"})

    assert_refused(
        response,
        storage,
        403,
        "AccessDenied",
        'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", '
        '"text/plain"]',
    )


def test_a_smaller_file_is_refused(ticket, storage):
    error = assert_refused(post(ticket, b"hell"), storage, 400, "EntityTooSmall")

    assert (error["ProposedSize"], error["MinSizeAllowed"]) == ("4", "5")


def test_a_larger_file_is_refused(ticket, storage):
    error = assert_refused(post(ticket, b"hello!"), storage, 400, "EntityTooLarge")

    assert (error["ProposedSize"], error["MaxSizeAllowed"]) == ("6", "5")


def test_an_expired_policy_is_refused(settings, storage):
    expired = signed_ticket(settings, expires_in=-1)

    assert_refused(
        post(expired, DATA),
        storage,
        403,
        "AccessDenied",
        "Invalid according to Policy: Policy expired.",
    )


def test_a_tampered_policy_is_refused(ticket, storage):
    policy = json.loads(base64.b64decode(ticket["fields"]["policy"]))
    policy["conditions"] = [
        ["content-length-range", 0, 10**9] if isinstance(c, list) else c
        for c in policy["conditions"]
    ]
    tampered = base64.b64encode(json.dumps(policy).encode()).decode()

    response = post(ticket, b"a much larger file", fields={"policy": tampered})

    assert_refused(response, storage, 403, "SignatureDoesNotMatch")


def test_a_wrong_signature_is_refused(ticket, storage):
    signature = ticket["fields"]["x-amz-signature"]
    wrong = ("0" if signature[0] != "0" else "1") + signature[1:]

    assert_refused(
        post(ticket, DATA, fields={"x-amz-signature": wrong}), storage, 403, "SignatureDoesNotMatch"
    )


def test_a_signature_with_a_key_the_emulator_does_not_know_is_refused(settings, storage):
    stranger = signed_ticket(settings, credentials=("AKIASTRANGER", "not the emulator's secret"))

    error = assert_refused(post(stranger, DATA), storage, 403, "InvalidAccessKeyId")

    assert error["AWSAccessKeyId"] == "AKIASTRANGER"


def test_a_field_the_policy_does_not_name_is_refused(ticket, storage):
    response = post(ticket, DATA, fields={"x-amz-meta-owner": "mallory"})

    assert_refused(
        response,
        storage,
        403,
        "AccessDenied",
        "Invalid according to Policy: Extra input fields: x-amz-meta-owner",
    )


@pytest.mark.parametrize("field", ["key", "x-amz-credential", "x-amz-date", "x-amz-signature"])
def test_a_form_without_a_required_field_is_refused(ticket, storage, field):
    error = assert_refused(
        post(ticket, DATA, fields={field: None}), storage, 400, "InvalidArgument"
    )

    assert error["ArgumentName"] == field


def test_an_anonymous_upload_without_a_policy_is_refused(ticket, storage):
    anonymous = {"Content-Type": "text/plain", "key": KEY}

    response = post({"url": ticket["url"], "fields": anonymous}, DATA)

    assert_refused(response, storage, 403, "AccessDenied", "Access Denied")


def test_a_form_without_a_file_is_refused(ticket, storage):
    response = httpx.post(ticket["url"], files={k: (None, v) for k, v in ticket["fields"].items()})

    assert_refused(
        response,
        storage,
        400,
        "InvalidArgument",
        "POST requires exactly one file upload per request.",
    )


def multipart(boundary: str, parts: list[tuple[str, str | None, bytes]]) -> bytes:
    """A multipart/form-data body of (name, file name or None, value), in this order."""
    encoded = []
    for name, filename, value in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n"
        encoded.append(head.encode() + value + b"\r\n")
    return b"".join(encoded) + f"--{boundary}--\r\n".encode()


def test_fields_after_the_file_are_ignored_as_s3_ignores_them(ticket, storage):
    parts: list[tuple[str, str | None, bytes]] = [
        (name, None, value.encode()) for name, value in ticket["fields"].items()
    ]
    parts += [("file", "a.txt", DATA), ("key", None, b"uploads/elsewhere.txt")]

    response = httpx.post(
        ticket["url"],
        content=multipart("b0undary", parts),
        headers={"Content-Type": "multipart/form-data; boundary=b0undary"},
    )

    assert response.status_code == 204, response.text
    stored = storage.head(KEY)
    assert stored is not None
    assert stored.size == len(DATA)
    assert storage.head("uploads/elsewhere.txt") is None
