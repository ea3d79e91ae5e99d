"""The assets operations over HTTP, with real uploads and downloads through the emulator."""

from __future__ import annotations

import boto3
import pytest

from tests.api.problems import assert_problem
from tests.identity import ADMIN
from tests.transfers import download, upload

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF"


def bucket_client(settings):
    return boto3.client("s3", region_name=settings.region, endpoint_url=settings.aws_endpoint_url)


def create(client, **fields):
    body = {"fileName": "report.pdf", "contentType": "application/pdf", "size": len(PDF), **fields}
    return client.post("/assets", json=body)


def test_create_returns_201_a_pending_asset_its_location_and_a_presigned_post(client):
    response = create(client, fileName="../Q3 résumé.pdf")

    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/assets/{body['assetId']}"
    upload_ticket = body.pop("upload")
    assert body == {
        "assetId": body["assetId"],
        "ownerId": ADMIN,
        "fileName": "../Q3 résumé.pdf",
        "contentType": "application/pdf",
        "size": len(PDF),
        "status": "pending",
        "createdAt": body["createdAt"],
        "updatedAt": body["createdAt"],
        "expiresAt": body["expiresAt"],
    }
    assert upload_ticket["method"] == "POST"
    # The upload lands where nothing serves it: confirmation copies it to assets/.
    assert upload_ticket["fields"]["key"] == f"uploads/{body['assetId']}/Q3_resume.pdf"
    assert upload_ticket["fields"]["Content-Type"] == "application/pdf"
    assert client.get(f"/assets/{body['assetId']}").json() == body


def test_the_full_flow_uploads_real_bytes_and_downloads_them_byte_identical(client, settings):
    created = create(client, fileName="Quarterly report.pdf").json()
    path = f"/assets/{created['assetId']}"
    assert_problem(client.get(f"{path}/download"), 409, "not been uploaded")

    assert upload(created["upload"], PDF) in (200, 201, 204)

    confirmed = client.get(path).json()
    assert confirmed["status"] == "uploaded"
    # Copied to the served key; the upload is gone.
    listed = bucket_client(settings).list_objects_v2(Bucket=settings.bucket("assets"))
    assert [o["Key"] for o in listed["Contents"]] == [
        f"assets/{created['assetId']}/Quarterly_report.pdf"
    ]
    link = client.get(f"{path}/download")
    assert link.status_code == 200
    fetched = download(link.json()["url"])
    assert fetched.content == PDF
    assert fetched.headers["content-type"] == "application/pdf"
    assert fetched.headers["content-disposition"] == (
        "attachment; filename=\"Quarterly_report.pdf\"; filename*=UTF-8''Quarterly%20report.pdf"
    )

    assert client.delete(path).status_code == 204
    assert_problem(client.get(path), 404)
    assert_problem(client.delete(path), 404)
    # The object went too (S3 answers 403 rather than 404 to those who may not list).
    assert download(link.json()["url"]).status_code in (403, 404)


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [(PDF + b"extra", None, 400), (PDF[:-1], None, 400), (PDF, "text/plain", 403)],
)
def test_an_upload_of_another_size_or_type_is_refused_and_the_asset_stays_pending(
    client, data, content_type, status
):
    created = create(client).json()

    assert upload(created["upload"], data, content_type) == status

    assert client.get(f"/assets/{created['assetId']}").json()["status"] == "pending"
    assert_problem(client.get(f"/assets/{created['assetId']}/download"), 409, "not been uploaded")


@pytest.mark.parametrize(
    ("data", "content_type"), [(PDF + b"extra", "application/pdf"), (PDF, "text/plain")]
)
def test_a_file_not_as_declared_at_the_upload_key_ends_rejected_and_deleted(
    client, settings, data, content_type
):
    # What no presigned POST lets through; confirmation checks the file all the same.
    created = create(client).json()
    s3 = bucket_client(settings)
    key = created["upload"]["fields"]["key"]
    s3.put_object(Bucket=settings.bucket("assets"), Key=key, Body=data, ContentType=content_type)

    asset = client.get(f"/assets/{created['assetId']}").json()

    assert asset["status"] == "rejected"
    assert_problem(client.get(f"/assets/{created['assetId']}/download"), 409, "rejected")
    assert s3.list_objects_v2(Bucket=settings.bucket("assets")).get("KeyCount") == 0


def test_list_filters_by_status_newest_first(client):
    first = create(client, fileName="a.pdf").json()
    second = create(client, fileName="b.pdf").json()
    upload(first["upload"], PDF)
    client.get(f"/assets/{first['assetId']}")

    everything = client.get("/assets").json()
    uploaded = client.get("/assets", params={"status": "uploaded"}).json()
    pending = client.get("/assets", params={"status": "pending"}).json()

    assert [a["assetId"] for a in everything["items"]] == [second["assetId"], first["assetId"]]
    assert [a["assetId"] for a in uploaded["items"]] == [first["assetId"]]
    assert [a["assetId"] for a in pending["items"]] == [second["assetId"]]
    assert everything["nextCursor"] is None


def test_list_pages_with_a_cursor_bound_to_its_filter(client):
    ids = [create(client, fileName=f"{i}.pdf").json()["assetId"] for i in range(3)]
    page = client.get("/assets", params={"limit": 2}).json()
    rest = client.get("/assets", params={"limit": 2, "cursor": page["nextCursor"]}).json()

    assert [a["assetId"] for a in page["items"] + rest["items"]] == list(reversed(ids))
    assert rest["nextCursor"] is None
    response = client.get("/assets", params={"status": "pending", "cursor": page["nextCursor"]})
    assert_problem(response, 400, "other filters")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"contentType": "application/pdf", "size": 1}, "fileName"),
        ({"fileName": "", "contentType": "application/pdf", "size": 1}, "fileName"),
        ({"fileName": "x" * 1025, "contentType": "application/pdf", "size": 1}, "fileName"),
        ({"fileName": "a", "contentType": "application/x-msdownload", "size": 1}, "contentType"),
        ({"fileName": "a", "contentType": "application/pdf", "size": 0}, "size"),
        ({"fileName": "a", "contentType": "application/pdf", "size": -5}, "size"),
        ({"fileName": "a", "contentType": "application/pdf", "size": 104857601}, "size"),
        ({"fileName": "a", "contentType": "application/pdf", "size": 1.5}, "size"),
        ({"fileName": "a", "contentType": "application/pdf", "size": "1"}, "size"),
        ({"fileName": "a", "contentType": "application/pdf", "size": 1, "status": "x"}, "status"),
        ({"fileName": "a", "contentType": "application/pdf", "size": 1, "s3Key": "x"}, "s3Key"),
    ],
)
def test_create_with_an_invalid_body_is_400_naming_the_field_and_stores_nothing(
    client, body, field
):
    assert_problem(client.post("/assets", json=body), 400, field)
    assert client.get("/assets").json()["items"] == []


def test_the_largest_declared_size_is_accepted(client):
    assert create(client, size=100 * 1024 * 1024).status_code == 201


@pytest.mark.parametrize("path", ["/assets/{id}", "/assets/{id}/download"])
def test_reads_of_an_unknown_asset_are_404(client, path):
    unknown = "00000000-0000-4000-8000-000000000000"
    assert_problem(client.get(path.format(id=unknown)), 404, "no asset")


def test_an_invalid_asset_id_is_400(client):
    assert_problem(client.get("/assets/not-a-uuid"), 400, "assetId")
    assert_problem(client.get("/assets", params={"status": "gone"}), 400, "status")
