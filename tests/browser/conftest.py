"""A real browser on the web client: Debian's Chromium (`make chromium`) driven by Playwright,
the client (`make web`) served by `make run`'s server from its web origin, and a screenshot
of each step under build/screenshots/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from api.paths import ROOT
from dev.web_client import DIST
from tests.local_server import LocalServer, local_server

SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = shutil.which("chromium")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """What the browser tests need is installed by `make chromium` and `make web`."""
    missing = (
        "Chromium (make chromium)"
        if CHROMIUM is None
        else "the web client's build (make web)"
        if not (DIST / "index.html").exists()
        else None
    )
    for item in items:
        if item.path.parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)
            if missing is not None:
                item.add_marker(pytest.mark.skip(reason=f"needs {missing}"))


# Package-scoped: Playwright's sync API keeps an asyncio loop running in this thread until
# it stops, and the Lambda handlers of later tests run their own loop here.
@pytest.fixture(scope="package")
def server() -> Iterator[LocalServer]:
    with local_server() as running:
        yield running


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 720}, accept_downloads=True)
    context.set_default_timeout(20_000)
    opened = context.new_page()
    yield opened
    context.close()


def screenshot(page: Page, name: str) -> Path:
    """The page as it is now, in build/screenshots/<name>.png."""
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, server: LocalServer, subject: str, *, admin: bool) -> None:
    """Through the issuer's page, as a person signs in; back on the client, signed in."""
    page.goto(server.web_url + "/")
    page.click("#sign-in")
    page.wait_for_url(f"{server.url}/oauth2/authorize?*")
    page.fill("input[name=subject]", subject)
    if admin:
        page.check("input[name=admin]")
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("body[data-ready=true]")  # signed in, its lists loaded
    assert page.inner_text("#who").startswith(f"Signed in as {subject}")
