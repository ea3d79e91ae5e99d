"""The Python client generated from openapi.yaml, driving `make run`'s server end to end.

The client is generated when the tests start (the `client_package` fixture), so its modules
are imported inside the tests.
"""

from __future__ import annotations

import uuid
from http import HTTPStatus

import httpx


def test_the_generated_client_drives_the_whole_users_flow(client):
    from users_and_assets_api_client.api.users import (
        create_user,
        delete_user,
        get_user,
        list_users,
        update_user,
    )
    from users_and_assets_api_client.models import Problem, User, UserCreate, UserPatch
    from users_and_assets_api_client.types import UNSET

    new_user = UserCreate(email=" Ada@Example.com ", name="Ada Lovelace", department="Engineering")
    key = str(uuid.uuid4())
    created = create_user.sync_detailed(client=client, body=new_user, idempotency_key=key)
    assert created.status_code == HTTPStatus.CREATED
    user = created.parsed
    assert isinstance(user, User)
    assert (user.email, user.name, user.department) == (
        "ada@example.com",
        "Ada Lovelace",
        "Engineering",
    )
    assert created.headers["location"] == f"/users/{user.user_id}"
    etag = created.headers["etag"]

    replayed = create_user.sync_detailed(client=client, body=new_user, idempotency_key=key)
    assert replayed.status_code == HTTPStatus.CREATED
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.parsed == user

    read = get_user.sync_detailed(user.user_id, client=client)
    assert (read.status_code, read.parsed, read.headers["etag"]) == (HTTPStatus.OK, user, etag)

    page = list_users.sync(client=client, email="ADA@example.com", limit=10)
    assert [found.user_id for found in page.items] == [user.user_id]

    taken = create_user.sync_detailed(
        client=client, body=UserCreate(email="ada@example.com", name="Another Ada")
    )
    assert taken.status_code == HTTPStatus.CONFLICT
    assert isinstance(taken.parsed, Problem)
    assert (taken.parsed.status, taken.parsed.title) == (409, "Conflict")

    changes = UserPatch(name="Ada King", department=None)
    changed = update_user.sync_detailed(user.user_id, client=client, body=changes, if_match=etag)
    assert changed.status_code == HTTPStatus.OK
    assert (changed.parsed.name, changed.parsed.department) == ("Ada King", UNSET)
    assert changed.headers["etag"] != etag

    stale = update_user.sync_detailed(
        user.user_id, client=client, body=UserPatch(name="Lady Lovelace"), if_match=etag
    )
    assert stale.status_code == HTTPStatus.PRECONDITION_FAILED
    assert isinstance(stale.parsed, Problem)
    assert stale.parsed.title == "Precondition Failed"

    deleted = delete_user.sync_detailed(
        user.user_id, client=client, if_match=changed.headers["etag"]
    )
    assert deleted.status_code == HTTPStatus.NO_CONTENT
    gone = get_user.sync_detailed(user.user_id, client=client)
    assert gone.status_code == HTTPStatus.NOT_FOUND
    assert isinstance(gone.parsed, Problem)
    assert gone.parsed.request_id == gone.headers["x-request-id"]


def test_the_generated_client_drives_the_whole_assets_flow_with_a_real_upload(client):
    from users_and_assets_api_client.api.assets import (
        create_asset,
        delete_asset,
        download_asset,
        get_asset,
        list_assets,
    )
    from users_and_assets_api_client.models import (
        AssetCreate,
        AssetCreated,
        AssetStatus,
        ContentType,
        Download,
        Problem,
    )

    data = "hello, assets, from the generated client \u2713\n".encode()
    created = create_asset.sync_detailed(
        client=client,
        body=AssetCreate(
            file_name="Grüße.txt", content_type=ContentType("text/plain"), size=len(data)
        ),
        idempotency_key=str(uuid.uuid4()),
    )
    assert created.status_code == HTTPStatus.CREATED
    asset = created.parsed
    assert isinstance(asset, AssetCreated)
    assert asset.status == AssetStatus.PENDING
    assert created.headers["location"] == f"/assets/{asset.asset_id}"

    early = download_asset.sync_detailed(asset.asset_id, client=client)
    assert early.status_code == HTTPStatus.CONFLICT
    assert isinstance(early.parsed, Problem)

    # The upload goes straight to the bucket: every presigned field, then the file, last.
    uploaded = httpx.post(
        asset.upload.url,
        data=asset.upload.fields.to_dict(),
        files={"file": ("Grüße.txt", data, "text/plain")},
        timeout=30,
    )
    assert uploaded.status_code in (200, 201, 204), uploaded.text

    confirmed = get_asset.sync(asset.asset_id, client=client)
    assert (confirmed.status, confirmed.size) == (AssetStatus.UPLOADED, len(data))
    listed = list_assets.sync(client=client, status=AssetStatus.UPLOADED)
    assert asset.asset_id in [item.asset_id for item in listed.items]

    download = download_asset.sync(asset.asset_id, client=client)
    assert isinstance(download, Download)
    fetched = httpx.get(download.url, timeout=30)
    assert fetched.content == data
    assert "Gr%C3%BC%C3%9Fe.txt" in fetched.headers["content-disposition"]

    assert delete_asset.sync_detailed(asset.asset_id, client=client).status_code == 204
    assert get_asset.sync_detailed(asset.asset_id, client=client).status_code == 404


def test_the_generated_client_reads_the_health_of_the_service(client):
    from users_and_assets_api_client.api.operations import get_health
    from users_and_assets_api_client.models import Health

    health = get_health.sync(client=client)
    assert isinstance(health, Health)
    assert health.status == "ok"


def test_without_a_token_the_generated_client_gets_the_401_problem(anonymous):
    from users_and_assets_api_client.api.users import list_users
    from users_and_assets_api_client.models import Problem

    refused = list_users.sync_detailed(client=anonymous)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert isinstance(refused.parsed, Problem)
    assert refused.parsed.status == 401
