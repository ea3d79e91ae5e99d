"""The web client in Chromium, cross-origin as a deployment is: signed in through the issuer's
page (authorization code with PKCE), users created, a file uploaded straight to the bucket
with progress, confirmed, downloaded and deleted; refusals shown as their problems; and a
page of a foreign origin refused by the API's CORS and the bucket's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Route

from dev.issuer import AUDIENCE, LocalIssuer, SigningKey, local_issuer
from dev.web_client import WebClient, client_config
from tests.browser.conftest import screenshot, sign_in
from tests.local_server import LocalServer, free_port

FILE_NAME = "Quarterly report é.txt"
DATA = b"The figures of the quarter.\n" * 40_000  # about 1 MiB: a few progress events


def asset_rows(page: Page) -> list[dict[str, str]]:
    return page.eval_on_selector_all(
        "#asset-rows tr",
        "rows => rows.map(r => ({id: r.dataset.assetId, name: r.cells[0].textContent,"
        " status: r.dataset.status}))",
    )


def record_statuses(page: Page) -> None:
    """Keeps, in window.statuses, every status the asset rows show, in order."""
    page.evaluate(
        """() => {
        window.statuses = [];
        new MutationObserver(() => {
            for (const row of document.querySelectorAll('#asset-rows tr')) {
                const last = window.statuses.at(-1);
                if (!last || last.id !== row.dataset.assetId || last.status !== row.dataset.status)
                    window.statuses.push({id: row.dataset.assetId, status: row.dataset.status});
            }
        }).observe(document.getElementById('asset-rows'), {childList: true, subtree: true});
        window.progress = [];
        new MutationObserver(() => window.progress.push(
            document.getElementById('progress').value
        )).observe(document.getElementById('progress'), {attributes: true});
        const label = document.getElementById('progress-text');
        new MutationObserver(() => window.progress.push(label.textContent))
            .observe(label, {childList: true, characterData: true, subtree: true});
    }"""
    )


def upload(page: Page, name: str, data: bytes, content_type: str = "text/plain") -> None:
    page.set_input_files("#file", {"name": name, "mimeType": content_type, "buffer": data})
    page.click("#upload-form button")


def create_user(page: Page, email: str, name: str) -> None:
    page.fill("#user-form input[name=email]", email)
    page.fill("#user-form input[name=name]", name)
    page.fill("#user-form input[name=department]", "Research")
    page.click("#user-form button")


def problems(page: Page) -> list[str]:
    return page.eval_on_selector_all(".problem", "cards => cards.map(c => c.innerText)")


def api(server: LocalServer, subject: str) -> httpx.Client:
    return server.client(subject, admin=False)


def test_signing_in_goes_through_the_issuers_page_and_back_with_a_token(page, server):
    page.goto(server.web_url + "/")
    page.wait_for_selector("body[data-ready=true]")
    screenshot(page, "01-signed-out")
    page.click("#sign-in")
    page.wait_for_url(f"{server.url}/oauth2/authorize?*")
    query = httpx.URL(page.url).params
    assert (query["response_type"], query["code_challenge_method"]) == ("code", "S256")
    page.fill("input[name=subject]", "ada")
    page.check("input[name=admin]")
    screenshot(page, "02-issuer-sign-in")
    page.click("button:has-text('Sign in')")

    page.wait_for_selector("#who:has-text('Signed in as ada (administrator)')")
    assert page.url == server.web_url + "/"  # the code is gone from the address
    assert page.is_visible("#users")
    token = page.evaluate("sessionStorage.getItem('signin.token')")
    claims = local_issuer(server.port).verifier()(token)
    assert (claims["sub"], claims["cognito:groups"]) == ("ada", ["admin"])
    screenshot(page, "03-signed-in")


def test_a_caller_who_is_not_an_administrator_sees_no_users(page, server):
    sign_in(page, server, "grace", admin=False)

    assert page.is_hidden("#users")
    assert problems(page) == []


def test_an_administrator_creates_a_user_and_a_refused_one_shows_its_problem(page, server):
    sign_in(page, server, "ada", admin=True)

    create_user(page, "lin@example.com", "Lin Ye")
    page.wait_for_selector("#user-rows tr:has-text('lin@example.com')")
    create_user(page, "lin@example.com", "Lin Ye again")  # the email is taken
    page.wait_for_selector(".problem")

    rows = page.eval_on_selector_all("#user-rows tr", "rows => rows.map(r => r.innerText)")
    assert len([row for row in rows if "lin@example.com" in row]) == 1
    (problem,) = problems(page)
    assert problem.startswith("Create the user: 409 Conflict")
    assert "request " in problem  # its requestId, to find it in the log
    screenshot(page, "04-users-and-a-problem")


def test_an_upload_shows_its_progress_and_moves_from_pending_to_uploaded(page, server):
    sign_in(page, server, "ada", admin=True)
    record_statuses(page)

    upload(page, "progress report.txt", DATA)
    row = page.wait_for_selector("#asset-rows tr:has-text('progress report.txt')")
    asset_id = row.get_attribute("data-asset-id")
    page.wait_for_selector(f"#asset-rows tr[data-asset-id='{asset_id}'][data-status=uploaded]")

    statuses = [s["status"] for s in page.evaluate("statuses") if s["id"] == asset_id]
    assert statuses == ["pending", "uploaded"]
    progress = page.evaluate("progress")
    assert progress[-1] == "100%, sent"
    assert 100 in progress
    assert any(str(p).startswith("100% (") for p in progress)  # bytes sent of the total
    assert problems(page) == []
    with api(server, "ada") as http:
        assert http.get(f"/assets/{asset_id}").json()["status"] == "uploaded"
    screenshot(page, "05-uploaded")


def test_a_download_saves_the_file_under_its_name_with_its_bytes(page, server):
    sign_in(page, server, "ada", admin=True)
    upload(page, FILE_NAME, DATA)
    row = page.wait_for_selector(f"#asset-rows tr[data-status=uploaded]:has-text('{FILE_NAME}')")

    with page.expect_download() as downloading:
        row.query_selector("button:has-text('Download')").click()
    download = downloading.value

    # Content-Disposition: attachment with filename*: the browser saves, under the real name.
    assert download.suggested_filename == FILE_NAME
    assert download.failure() is None
    with open(download.path(), "rb") as saved:
        assert saved.read() == DATA
    screenshot(page, "06-downloaded")


def test_deleting_an_asset_removes_it_and_its_file(page, server):
    sign_in(page, server, "ada", admin=True)
    upload(page, "to delete.txt", b"soon gone")
    row = page.wait_for_selector("#asset-rows tr[data-status=uploaded]:has-text('to delete.txt')")
    asset_id = row.get_attribute("data-asset-id")

    row.query_selector("button:has-text('Delete')").click()
    page.wait_for_selector(f"#asset-rows tr[data-asset-id='{asset_id}']", state="detached")

    assert problems(page) == []
    with api(server, "ada") as http:
        assert http.get(f"/assets/{asset_id}").status_code == 404
    screenshot(page, "07-deleted")


def declaring_another_size(route: Route) -> None:
    """The client's createAsset with a size one byte larger than the file's."""
    if route.request.method != "POST":
        route.continue_()
        return
    body = json.loads(route.request.post_data or "{}")
    route.continue_(post_data=json.dumps({**body, "size": body["size"] + 1}))


def test_an_upload_of_another_size_than_declared_is_refused_by_the_bucket(page, server):
    sign_in(page, server, "ada", admin=True)
    page.route(f"{server.url}/assets", declaring_another_size)

    upload(page, "wrong size.txt", b"twelve bytes")
    page.wait_for_selector(".problem")

    (problem,) = problems(page)
    assert problem.startswith("Upload the file to storage: 400 EntityTooSmall")
    assert "smaller than the minimum allowed size" in problem
    assert 'ProposedSize: "12"' in problem
    assert page.inner_text("#progress-text") == "refused"
    (row,) = [r for r in asset_rows(page) if r["name"] == "wrong size.txt"]
    assert row["status"] == "pending"
    with api(server, "ada") as http:
        assert http.get(f"/assets/{row['id']}").json()["status"] == "pending"  # nothing arrived
    screenshot(page, "08-refused-upload")


@pytest.fixture
def foreign_origin(server: LocalServer) -> Iterator[str]:
    """The same client served from an origin the API and the bucket do not allow."""
    port = free_port()
    origin = f"http://localhost:{port}"
    config = client_config(local_issuer(server.port), server.url, origin)
    client = WebClient(config, port=port).start()
    try:
        yield client.url
    finally:
        client.stop()


def test_a_page_of_a_foreign_origin_is_refused_by_the_api_and_the_bucket(
    page, server, foreign_origin
):
    with api(server, "mallory") as http:
        created = http.post(
            "/assets", json={"fileName": "x.txt", "contentType": "text/plain", "size": 1}
        ).json()
    token = server.token("mallory", admin=False)
    page.goto(foreign_origin + "/")
    page.evaluate("token => sessionStorage.setItem('signin.token', token)", token)
    page.reload()
    page.wait_for_selector(".problem")

    (problem,) = problems(page)
    assert problem.startswith("List assets: No answer")  # the API's CORS refused the origin
    outcome: dict[str, Any] = page.evaluate(
        """async ({api, token, upload}) => {
        const read = fetch(api + '/assets', {headers: {Authorization: 'Bearer ' + token}})
            .then(() => 'read', (e) => e.name);
        const sent = new Promise((resolve) => {
            const form = new FormData();
            for (const [k, v] of Object.entries(upload.fields)) form.append(k, v);
            form.append('file', new Blob(['x'], {type: 'text/plain'}));
            const xhr = new XMLHttpRequest();
            xhr.open('POST', upload.url);
            xhr.upload.onprogress = () => {};  // a listener: the browser sends a preflight
            xhr.onload = () => resolve('status ' + xhr.status);
            xhr.onerror = () => resolve('error');
            xhr.send(form);
        });
        return {api: await read, bucket: await sent};
    }""",
        {"api": server.url, "token": token, "upload": created["upload"]},
    )

    assert outcome == {"api": "TypeError", "bucket": "error"}
    with api(server, "mallory") as http:
        assert http.get(f"/assets/{created['assetId']}").json()["status"] == "pending"
    screenshot(page, "09-foreign-origin-refused")


def test_a_refused_token_shows_its_problem_and_offers_to_sign_in_again(page, server):
    stranger = LocalIssuer(SigningKey.generate(), server.url, audience=AUDIENCE)
    page.goto(server.web_url + "/")
    page.evaluate("token => sessionStorage.setItem('signin.token', token)", stranger.token("ada"))
    page.reload()
    page.wait_for_selector("body[data-ready=true]")

    (problem,) = problems(page)
    assert problem.startswith("List assets: 401 Unauthorized")
    assert "a key this issuer does not publish" in problem
    assert page.is_visible("#sign-in")
    assert page.evaluate("sessionStorage.getItem('signin.token')") is None
    screenshot(page, "10-token-refused")
