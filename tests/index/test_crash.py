"""kill -9 an ingest at random moments, and while it writes its build: the index it started from
(or the one it finished switching to) still loads and answers, and the next ingest cleans up."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from index.builder import Builder
from index.embedder import Embedder
from index.store import IndexStore
from qa.assistant import Assistant
from qa.settings import Settings

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
KILLS_AT_RANDOM = 3
ATTEMPTS = 5
QUESTION, ANSWER = "What was NI 59 in Q3?", "41% (50% as of Dec)"


def ingest_command(papers: Path, index: Path) -> list[str]:
    # --rebuild: every run writes and switches a new build; one worker: no pool left behind a kill.
    return [sys.executable, "-m", "qa", "ingest", str(papers), "--index", str(index), "--rebuild", "--workers", "1"]


def start(command: list[str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill(process: subprocess.Popen[bytes]) -> bool:
    """SIGKILL the ingest; True when it was still running."""
    alive = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return alive


def kill_when(process: subprocess.Popen[bytes], moment: Callable[[], bool], limit: float = 120) -> bool:
    """Poll until `moment()` holds, then SIGKILL; True when it was killed at that moment."""
    deadline = time.monotonic() + limit
    while process.poll() is None and time.monotonic() < deadline:
        if moment():
            return kill(process)
    kill(process)
    return False


def kill_at_random(command: list[str], times: int, whole: float, rng: random.Random,
                   check: Callable[[], object]) -> None:
    """`times` ingests killed at random within the `whole` seconds one takes, `check` after each."""
    for _ in range(times):
        process = start(command)
        time.sleep(rng.uniform(0.1, whole))
        kill(process)
        check()


def kill_at(command: list[str], settings: Settings, embedder: Embedder, moment: Callable[[], bool]) -> str:
    """Start ingests until one is killed at `moment` (a short moment that a loaded machine's poll
    can miss, the ingest then running to its end); returns the build served before that one."""
    for _ in range(ATTEMPTS):
        served = assert_answers(settings, embedder)
        if kill_when(start(command), moment):
            return served
    pytest.fail(f"no ingest of {ATTEMPTS} was caught at the moment")


def assert_answers(settings: Settings, embedder: Embedder) -> str:
    index = IndexStore(settings.index_dir).load(settings.model)
    assert Assistant(index, embedder, settings).ask(QUESTION).answer == ANSWER
    return index.build


def test_sigkill_at_any_moment_of_an_ingest_leaves_an_index_that_answers(
        tmp_path: Path, papers: Path, embedder: Embedder) -> None:
    settings = Settings.from_env(index_dir=tmp_path / "index")
    store = IndexStore(settings.index_dir)
    Builder(store, embedder, 2**20).ingest([papers])
    builds = settings.index_dir / "builds"
    command = ingest_command(papers, settings.index_dir)

    started = time.monotonic()
    assert subprocess.run(command, cwd=REPO, capture_output=True, timeout=300).returncode == 0
    whole = time.monotonic() - started
    # While the new build is being written: CURRENT still names the old one.
    served = kill_at(command, settings, embedder, lambda: any(p.name.endswith(".tmp") for p in builds.iterdir()))
    assert assert_answers(settings, embedder) == served
    # Just after the switch, before old builds are pruned: the new one serves.
    kill_at(command, settings, embedder, lambda: store.current_name() not in (served, None))
    served = assert_answers(settings, embedder)

    kill_at_random(command, KILLS_AT_RANDOM, whole, random.Random(6), lambda: assert_answers(settings, embedder))

    assert subprocess.run(command, cwd=REPO, capture_output=True, timeout=300).returncode == 0
    assert assert_answers(settings, embedder) != served
    assert not [p for p in builds.iterdir() if p.name.endswith(".tmp")]  # leftovers of the kills are gone


def test_every_damaged_index_file_is_named_with_the_command_that_rebuilds_it(
        tmp_path: Path, papers: Path, embedder: Embedder) -> None:
    from fastapi.testclient import TestClient

    from corpus.errors import IndexMismatch
    from web.app import create_app

    settings = Settings.from_env(index_dir=tmp_path / "index")
    store = IndexStore(settings.index_dir)
    Builder(store, embedder, 2**20).ingest([papers])
    build = store.current()
    assert build is not None
    names = list(store.load(settings.model).manifest["checksums"])
    assert {"chunks.jsonl", "vectors.npy", "acronyms.json"} <= set(names)
    assert any(name.startswith("bm25/") for name in names)
    for name in names:
        path = build / name
        original = path.read_bytes()
        path.write_bytes(original[:-1] + bytes([original[-1] ^ 1]) if original else b"x")
        with pytest.raises(IndexMismatch, match=rf"{re.escape(name)} is missing or damaged.*--rebuild"):
            store.load(settings.model)
        path.write_bytes(original)
    (build / "chunks.jsonl").write_bytes(b"")
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert "chunks.jsonl is missing or damaged" in response.json()["detail"]
    assert "python -m qa ingest" in response.json()["detail"] and "--rebuild" in response.json()["detail"]
