"""Fixtures for the web tests: the app served by uvicorn in-process, and headless Chromium.

Browser tests use Debian's chromium (CLERK_CHROMIUM overrides the path) driven by Playwright's
sync API, one browser for the whole session. Without chromium or playwright they are skipped
locally with the reason, and fail under CI=true, where .ci/run installs the browser.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Self

import pytest
import uvicorn

from index.builder import Builder
from index.embedder import Embedder
from index.store import IndexStore
from qa.assistant import Assistant
from qa.settings import Settings
from tests.web.exempt import TEST_LIMITS
from web.app import create_app

REPO = Path(__file__).resolve().parents[2]
ARTEFACTS = REPO / "test-artefacts"
HOSTILE = Path(__file__).parent / "data" / "hostile_minutes.txt"
CHROMIUM = Path(os.environ.get("CLERK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives the pages in headless Chromium (part of `make test` and CI)"
    )


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"{reason} – CI must run the browser tests (.ci/run installs chromium)")
    pytest.skip(f"{reason}; install it with `apt-get install chromium` to run the browser tests")


class LiveServer:
    """uvicorn serving an app on a free port of 127.0.0.1, in a thread of this process."""

    def __init__(self, app: Any) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


@pytest.fixture(scope="session")
def live_url(settings: Settings, assistant: Assistant) -> Iterator[str]:
    """The app over the session's test assistant."""
    with LiveServer(create_app(settings, assistant, TEST_LIMITS)) as server:
        yield server.url


@pytest.fixture(scope="session")
def hostile_url(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[str]:
    """The app over an index of its own holding a paper full of <script> and <img onerror>."""
    papers = tmp_path_factory.mktemp("hostile-papers")
    shutil.copy(HOSTILE, papers / HOSTILE.name)
    settings = Settings.from_env(index_dir=tmp_path_factory.mktemp("hostile-index"))
    report = Builder(IndexStore(settings.index_dir), embedder, 2**20).ingest([papers])
    assert not report.failed, report.failed
    assistant = Assistant(IndexStore(settings.index_dir).load(settings.model), embedder, settings)
    with LiveServer(create_app(settings, assistant, TEST_LIMITS)) as server:
        yield server.url


@pytest.fixture(scope="session")
def exempt_url(exempt_settings: Settings, exempt_assistant: Assistant) -> Iterator[str]:
    """The app over the index with exempt papers, on 127.0.0.1."""
    with LiveServer(create_app(exempt_settings, exempt_assistant, TEST_LIMITS)) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        _unavailable(f"no chromium at {CHROMIUM}")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    except Error as exc:  # a broken install must not pass as a skip in CI either
        playwright.stop()
        _unavailable(f"chromium at {CHROMIUM} does not start ({exc})")
    yield chromium
    chromium.close()
    playwright.stop()


class Tab:
    """One browser page in a fresh context, recording console errors and uncaught exceptions."""

    def __init__(self, browser: Any, viewport: dict[str, int]) -> None:
        self.context = browser.new_context(viewport=viewport)
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("dialog", self._dialog)

    def _console(self, message: Any) -> None:
        if message.type == "error":  # CSP violations are reported here too
            self.errors.append(message.text)

    def _dialog(self, dialog: Any) -> None:
        self.errors.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def screenshot(self, name: str, full_page: bool = False) -> Path:
        ARTEFACTS.mkdir(exist_ok=True)
        path = ARTEFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def desktop(browser: Any) -> Iterator[Tab]:
    tab = Tab(browser, DESKTOP)
    yield tab
    tab.close()


@pytest.fixture()
def phone(browser: Any) -> Iterator[Tab]:
    tab = Tab(browser, PHONE)
    yield tab
    tab.close()


@pytest.fixture(scope="session")
def record_metric() -> Callable[[str, Any], None]:
    """Write a measured figure (page weight, time to first answer) into test-artefacts/metrics.json."""

    def record(name: str, value: Any) -> None:
        ARTEFACTS.mkdir(exist_ok=True)
        path = ARTEFACTS / "metrics.json"
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        data[name] = value
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")

    return record
