"""Browser tests: the session's app served over HTTP on 127.0.0.1, driven by Debian's Chromium."""

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
HOST = "127.0.0.1"
HERE = Path(__file__).parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the app in Chromium (tests/browser)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The session's app served on a free port of 127.0.0.1 in a background thread; yields its base URL."""
    server = make_server(HOST, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://{HOST}:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Chromium from /usr/bin/chromium; skipped when missing, except in CI where it must be there."""
    if not CHROMIUM.exists():
        reason = "Chromium not installed: apt-get install chromium"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def requested_urls() -> list[str]:
    """Every URL the test's page requested, in order."""
    return []


@pytest.fixture
def page(browser: Browser, requested_urls: list[str]) -> Iterator[Page]:
    """A page in a fresh browser context; afterwards, checks it never requested anything off 127.0.0.1."""
    context = browser.new_context()
    tab = context.new_page()
    tab.on("request", lambda request: requested_urls.append(request.url))
    yield tab
    context.close()
    elsewhere = [url for url in requested_urls if urlsplit(url).scheme not in ("data", "blob")
                 and urlsplit(url).hostname != HOST]
    assert not elsewhere, f"requests to other hosts: {elsewhere}"
