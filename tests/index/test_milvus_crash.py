"""kill -9 an ingest into Milvus at random moments, and while it writes a new generation: the
generation the alias names (the previous one, or the one it finished moving to) still answers,
and the next ingest drops what the killed ones left. Milvus here is milvus-lite served over gRPC
by a process of its own, as a cluster would be, so the killed ingest and the checks share it."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.embedder import Embedder
from index.milvus import MilvusStore
from index.store import IndexStore
from qa.assistant import Assistant
from qa.settings import Settings
from tests.index.test_crash import ANSWER, QUESTION, REPO, ingest_command, kill_at_random, kill_when, start
from tests.processes import free_port, stop

pytestmark = pytest.mark.slow

KILLS_AT_RANDOM = 2



@pytest.fixture()
def server(tmp_path: Path) -> Iterator[str]:
    """A milvus-lite gRPC server on a free port of 127.0.0.1, stopped after the test."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(tmp_path / "milvus"),
                                "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    uri = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            MilvusStore(uri, "probe").close()
            break
        except Exception:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("the milvus-lite server did not start") from None
            time.sleep(0.2)
    yield uri
    stop(process)


def answers(settings: Settings, embedder: Embedder) -> None:
    index = IndexStore(settings.index_dir).load(settings.model)
    assert Assistant(index, embedder, settings).ask(QUESTION).answer == ANSWER


def test_sigkill_during_a_milvus_ingest_leaves_the_live_generation_answering(
        tmp_path: Path, papers: Path, embedder: Embedder, server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLERK_BACKEND", "milvus")
    monkeypatch.setenv("CLERK_MILVUS_URI", server)
    settings = Settings.from_env(index_dir=tmp_path / "index")
    command = ingest_command(papers, settings.index_dir)  # --rebuild: a new generation every time
    first = subprocess.run(command[:-3], cwd=REPO, capture_output=True, timeout=300)
    assert first.returncode == 0, first.stderr
    milvus = MilvusStore(*settings.milvus_target)
    served = milvus.live()
    assert served is not None
    answers(settings, embedder)

    started = time.monotonic()
    assert subprocess.run(command, cwd=REPO, capture_output=True, timeout=300).returncode == 0
    whole = time.monotonic() - started
    assert milvus.live() not in (served, None)
    served = milvus.live()

    def writing() -> bool:
        """A generation exists that neither alias names: the killed ingest's, half-written."""
        time.sleep(0.02)
        return bool(set(milvus.generations()) - {milvus.live(), milvus.previous()})

    process = start(command)
    assert kill_when(process, writing)
    assert milvus.live() == served
    answers(settings, embedder)

    kill_at_random(command, KILLS_AT_RANDOM, whole, random.Random(13), lambda: answers(settings, embedder))

    assert subprocess.run(command, cwd=REPO, capture_output=True, timeout=300).returncode == 0
    assert milvus.live() != served
    answers(settings, embedder)
    assert set(milvus.generations()) == {milvus.live(), milvus.previous()}  # the kills' leftovers are gone
    milvus.close()
