"""A running server picks up a newly built index without a restart, and no request fails while it
switches; a build that cannot be loaded leaves the old one serving."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest

from index.builder import Builder
from index.embedder import Embedder
from index.store import IndexStore
from qa.assistant import Assistant
from qa.settings import Settings
from tests.web.conftest import LiveServer
from tests.web.exempt import TEST_LIMITS
from web.app import create_app

pytestmark = pytest.mark.slow

NEW_PAPER = Path(__file__).parent / "data" / "hostile_minutes.txt"
WAIT = 90.0


class Traffic:
    """Clients asking all the time, recording every status code, until stopped."""

    def __init__(self, url: str, clients: int = 4) -> None:
        self.url = url
        self.statuses: list[int] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self.stop.is_set():
                for path in ("/healthz", "/api/search?q=caseload&k=3", "/"):
                    self.statuses.append(client.get(path).status_code)
                response = client.post("/api/ask", json={"question": "What was NI 59 in Q3?"})
                self.statuses.append(response.status_code)

    def __enter__(self) -> Traffic:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def documents(url: str) -> int:
    return int(httpx.get(url + "/healthz", timeout=30).json()["documents"])


def wait_for_documents(url: str, count: int) -> None:
    deadline = time.monotonic() + WAIT
    while documents(url) != count:
        assert time.monotonic() < deadline, f"the server never served {count} documents"
        time.sleep(0.2)


def built_once(tmp_path: Path, papers: Path, embedder: Embedder) -> tuple[Path, Settings, Builder, Assistant]:
    """A copy of the test papers, ingested once: (its folder, settings, the builder, an assistant)."""
    folder = tmp_path / "papers"
    shutil.copytree(papers, folder)
    settings = Settings.from_env(index_dir=tmp_path / "index")
    builder = Builder(IndexStore(settings.index_dir), embedder, 2**20)
    builder.ingest([folder])
    assistant = Assistant(IndexStore(settings.index_dir).load(settings.model), embedder, settings)
    return folder, settings, builder, assistant


def test_a_new_build_is_served_without_restart_or_failed_requests(
        tmp_path: Path, papers: Path, embedder: Embedder) -> None:
    folder, settings, builder, assistant = built_once(tmp_path, papers, embedder)
    with LiveServer(create_app(settings, assistant, TEST_LIMITS)) as server:
        before = documents(server.url)
        with Traffic(server.url) as traffic:
            shutil.copy(NEW_PAPER, folder / NEW_PAPER.name)
            builder.ingest([folder])
            wait_for_documents(server.url, before + 1)
            time.sleep(0.5)  # requests keep flowing over the new index
        assert len(traffic.statuses) > 20
        assert set(traffic.statuses) == {200}, sorted(set(traffic.statuses))


def test_a_damaged_new_build_leaves_the_old_one_serving(
        tmp_path: Path, papers: Path, embedder: Embedder, caplog: pytest.LogCaptureFixture) -> None:
    folder, settings, _, assistant = built_once(tmp_path, papers, embedder)
    with LiveServer(create_app(settings, assistant, TEST_LIMITS)) as server:
        before = documents(server.url)
        shutil.copy(NEW_PAPER, folder / NEW_PAPER.name)
        # A new build made elsewhere, damaged, then switched in the way `save` switches.
        other = tmp_path / "other"
        shutil.copytree(settings.index_dir, other)
        Builder(IndexStore(other), embedder, 2**20).ingest([folder])
        built = IndexStore(other).current()
        assert built is not None
        with (built / "chunks.jsonl").open("ab") as handle:
            handle.write(b"\n{damaged")
        shutil.copytree(built, settings.index_dir / "builds" / built.name)
        staged = settings.index_dir / ".CURRENT.test"
        staged.write_text(built.name, encoding="utf-8")
        os.replace(staged, settings.index_dir / "CURRENT")
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline and "not loaded" not in caplog.text:
            assert documents(server.url) == before
            time.sleep(0.2)
        assert "not loaded" in caplog.text and "--rebuild" in caplog.text
        assert documents(server.url) == before
