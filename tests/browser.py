"""Shared Chromium launch for browser tests: Debian's /usr/bin/chromium driven by Playwright.

`playwright install` cannot download here, so the system Chromium is used. Locally a missing
browser skips the test; under CI (CI=true) it fails, so a broken image cannot pass silently.
Use it from a test module with `from browser import chromium_browser  # noqa: F401`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM_PATH = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_SCHEMES = ("file:", "data:")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator:
    """A headless Chromium for the whole session."""
    if not CHROMIUM_PATH.exists():
        _unavailable(f"{CHROMIUM_PATH} is missing: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install playwright)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM_PATH), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def record_requests(page) -> list[str]:
    """Every URL the page requests, to assert that nothing leaves the machine."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


def remote_requests(urls: list[str]) -> list[str]:
    return [u for u in urls if not u.startswith(LOCAL_SCHEMES)]
