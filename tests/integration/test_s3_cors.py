"""The emulator applies the bucket's CORS rules (template.yaml's) as S3 does, which moto alone
does not: preflights from the allowed origin are answered, any other is refused with 403 and
no CORS headers, and other responses carry CORS headers only for the allowed origin."""

from __future__ import annotations

import dataclasses
import uuid

import httpx
import pytest

from api.assets.bucket import S3ObjectStorage
from api.resources import BUCKETS
from api.settings import Settings
from dev.emulator import create_resources
from dev.s3_cors import CorsRule, template_cors_rules
from tests.deploy.stack import load_template
from tests.integration.test_s3_post_policy import s3_error

ORIGIN = "http://localhost:3000"
FOREIGN = "http://localhost:3999"
KEY = "uploads/00000000-0000-4000-8000-000000000001/report.txt"
DATA = b"hello"


@pytest.fixture
def cors_settings(settings: Settings) -> Settings:
    """The test's settings with one allowed origin, and a bucket of their own made with it."""
    suffix = uuid.uuid4().hex[:8]
    allowed = dataclasses.replace(
        settings,
        allowed_origins=(ORIGIN,),
        tables={key: f"{name}-cors" for key, name in settings.tables.items()},
        buckets={key: f"cors-{suffix}" for key in settings.buckets},
    )
    create_resources(allowed)
    return allowed


def bucket_url(settings: Settings, key: str = "") -> str:
    return f"{settings.aws_endpoint_url}/{settings.bucket('assets')}/{key}"


def preflight(url: str, origin: str, method: str, headers: str | None = None) -> httpx.Response:
    request = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        request["Access-Control-Request-Headers"] = headers
    return httpx.options(url, headers=request, timeout=30)


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {
        name: value
        for name, value in response.headers.items()
        if name.lower().startswith("access-control-")
    }


def upload(settings: Settings, data: bytes, origin: str) -> httpx.Response:
    url, fields = S3ObjectStorage(settings).presign_upload(KEY, "text/plain", len(DATA), 60)
    return httpx.post(
        url,
        data=fields,
        files={"file": ("report.txt", data, "text/plain")},
        headers={"Origin": origin},
        timeout=30,
    )


def test_the_emulator_reads_the_rules_the_template_gives_the_bucket():
    bucket = load_template()["Resources"][BUCKETS["assets"].logical_id]
    (template_rule,) = bucket["Properties"]["CorsConfiguration"]["CorsRules"]

    (rule,) = template_cors_rules(BUCKETS["assets"].logical_id, [ORIGIN])

    assert template_rule["AllowedOrigins"] == {"Ref": "AllowedOrigins"}
    assert rule == CorsRule(
        allowed_origins=(ORIGIN,),
        allowed_methods=tuple(template_rule["AllowedMethods"]),
        allowed_headers=tuple(template_rule["AllowedHeaders"]),
        expose_headers=tuple(template_rule["ExposedHeaders"]),
        max_age_seconds=template_rule["MaxAge"],
    )


def test_a_preflight_of_an_upload_from_the_allowed_origin_is_allowed(cors_settings):
    response = preflight(bucket_url(cors_settings), ORIGIN, "POST", "content-type")

    assert response.status_code == 200, response.text
    assert cors_headers(response) == {
        "access-control-allow-origin": ORIGIN,
        "access-control-allow-methods": "GET, POST",
        "access-control-allow-headers": "content-type",
        "access-control-allow-credentials": "true",
        "access-control-expose-headers": "ETag",
        "access-control-max-age": "600",
    }
    assert "Origin" in response.headers["vary"]


def test_a_preflight_from_a_foreign_origin_is_refused_without_cors_headers(cors_settings):
    response = preflight(bucket_url(cors_settings), FOREIGN, "POST")

    assert response.status_code == 403
    assert cors_headers(response) == {}
    error = s3_error(response)
    assert error["Code"] == "AccessForbidden"
    assert error["Message"].startswith("CORSResponse: This CORS request is not allowed.")
    assert (error["Method"], error["ResourceType"]) == ("POST", "BUCKET")


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_a_preflight_of_a_method_the_rule_does_not_allow_is_refused(cors_settings, method):
    response = preflight(bucket_url(cors_settings, KEY), ORIGIN, method)

    assert response.status_code == 403
    assert cors_headers(response) == {}
    assert s3_error(response)["ResourceType"] == "OBJECT"


def test_a_preflight_to_a_bucket_without_cors_is_refused(settings):
    response = preflight(bucket_url(settings), ORIGIN, "POST")

    assert response.status_code == 403
    assert cors_headers(response) == {}
    assert s3_error(response)["Message"] == "CORSResponse: CORS is not enabled for this bucket."


def test_a_preflight_without_a_requested_method_is_a_bad_request(cors_settings):
    response = httpx.options(bucket_url(cors_settings), headers={"Origin": ORIGIN}, timeout=30)

    assert response.status_code == 400
    assert s3_error(response)["Code"] == "BadRequest"


def test_an_upload_from_the_allowed_origin_is_stored_with_cors_headers(cors_settings):
    response = upload(cors_settings, DATA, ORIGIN)

    assert response.status_code == 204, response.text
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["access-control-expose-headers"] == "ETag"
    assert S3ObjectStorage(cors_settings).head(KEY) is not None


def test_a_refused_upload_from_the_allowed_origin_carries_cors_headers(cors_settings):
    """So that the page can read why S3 refused it."""
    response = upload(cors_settings, DATA + b"!", ORIGIN)

    assert response.status_code == 400
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert s3_error(response)["Code"] == "EntityTooLarge"


def test_a_response_to_a_foreign_origin_has_no_cors_headers(cors_settings):
    """moto's server alone adds `Access-Control-Allow-Origin: *` to every answer."""
    response = upload(cors_settings, DATA, FOREIGN)

    assert cors_headers(response) == {}


def test_a_download_from_the_allowed_origin_exposes_the_etag(cors_settings):
    storage = S3ObjectStorage(cors_settings)
    assert upload(cors_settings, DATA, ORIGIN).status_code == 204
    url = storage.presign_download(KEY, "text/plain", "attachment; filename=report.txt", 60)

    allowed = httpx.get(url, headers={"Origin": ORIGIN}, timeout=30)
    foreign = httpx.get(url, headers={"Origin": FOREIGN}, timeout=30)

    assert allowed.content == DATA
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert allowed.headers["access-control-expose-headers"] == "ETag"
    assert allowed.headers["content-disposition"] == "attachment; filename=report.txt"
    assert foreign.content == DATA  # S3 serves it; the browser keeps it from the page
    assert cors_headers(foreign) == {}
