"""Ingest into Milvus (milvus-lite): a first sync writes a generation and points the alias at it,
an incremental ingest upserts changed chunks and deletes vanished ones by id in place, a rebuild
writes a new generation and moves the alias, and a generation a killed ingest left half-written
is never live and is dropped by the next one."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from corpus.access import PUBLIC
from index.builder import Builder
from index.embedder import Embedder
from index.milvus import MilvusStore
from index.milvus_sync import sync
from index.store import Index, IndexStore
from qa.assistant import Assistant
from qa.settings import Settings

pytestmark = pytest.mark.slow

ADDED = "\n\nThe committee noted that the Zephyrine Lantern scheme had recruited 27 volunteers.\n"


@dataclass
class Setup:
    papers: Path
    settings: Settings
    builder: Builder
    milvus: MilvusStore

    def ingest(self, rebuild: bool = False) -> Index:
        report = self.builder.ingest([self.papers], rebuild=rebuild)
        assert not report.failed, report.failed
        return IndexStore(self.settings.index_dir).load(self.settings.model)

    def held(self, generation: str) -> dict[str, dict[str, str]]:
        return {name: self.milvus.held(name) for name in self.milvus.collections(generation)}


@pytest.fixture()
def setup(tmp_path: Path, papers: Path, embedder: Embedder) -> Iterator[Setup]:
    folder = tmp_path / "papers"
    shutil.copytree(papers, folder)
    settings = Settings.from_env(index_dir=tmp_path / "index", backend="milvus",
                                 milvus_uri=str(tmp_path / "milvus.db"))
    milvus = MilvusStore(*settings.milvus_target)
    yield Setup(folder, settings, Builder(IndexStore(settings.index_dir), embedder, 2**20), milvus)
    milvus.close()


def test_incremental_ingest_upserts_changed_chunks_and_deletes_vanished_ones(setup: Setup) -> None:
    first = sync(setup.milvus, setup.ingest())
    assert first.rewritten and setup.milvus.live() == first.generation
    before = setup.held(first.generation)
    total = sum(len(rows) for rows in before.values())
    assert first.upserted == total

    assert sync(setup.milvus, setup.ingest()).upserted == 0  # nothing changed, nothing written

    paper = setup.papers / "wellbeing_board.md"
    paper.write_text(paper.read_text(encoding="utf-8") + ADDED, encoding="utf-8")
    index = setup.ingest()
    changed = sync(setup.milvus, index)
    assert not changed.rewritten and changed.generation == first.generation
    assert 0 < changed.upserted < total / 4  # the changed paper's tail, not the whole corpus
    after = setup.held(first.generation)
    wanted = {c.id for c in index.chunks}
    assert set(after[setup.milvus.text_name(first.generation, PUBLIC)]) == wanted
    answer = Assistant(index, setup.builder.embedder, setup.settings).ask("How many volunteers did the Zephyrine Lantern scheme recruit?")
    assert answer.citations[0].source == paper.name and "27 volunteers" in answer.citations[0].text

    gone = {c.id for c in index.documents[paper.name].chunks}
    paper.unlink()
    index = setup.ingest()
    removed = sync(setup.milvus, index)
    assert removed.deleted >= len(gone) and removed.generation == first.generation
    left = setup.held(first.generation)
    assert not gone & set(left[setup.milvus.text_name(first.generation, PUBLIC)])
    assert not any(i.split("#")[0] in gone for i in left[f"{first.generation}_vectors"])


def test_a_rebuild_writes_a_new_generation_and_moves_the_alias(setup: Setup) -> None:
    first = sync(setup.milvus, setup.ingest()).generation
    second = sync(setup.milvus, setup.ingest(rebuild=True), rebuild=True).generation
    assert second != first and setup.milvus.live() == second
    assert setup.milvus.generations() == [first, second]  # the one before stays for who still reads it
    third = sync(setup.milvus, setup.ingest(rebuild=True), rebuild=True).generation
    assert setup.milvus.generations() == [second, third] and setup.milvus.live() == third


def test_a_half_written_generation_is_never_live_and_the_next_ingest_drops_it(setup: Setup) -> None:
    index = setup.ingest()
    live = sync(setup.milvus, index).generation
    # What a kill during a rebuild leaves: a new generation's collections, partly filled.
    orphan = setup.milvus.create(index.vectors.shape[1], 10)
    setup.milvus.write(setup.milvus.text_name(orphan, PUBLIC), [])
    assert setup.milvus.live() == live
    assistant = Assistant(index, setup.builder.embedder, setup.settings)
    assert assistant.ask("What was NI 59 in Q3?").answer == "41% (50% as of Dec)"
    assert sync(setup.milvus, index).generation == live
    newer = sync(setup.milvus, index, rebuild=True).generation
    assert orphan not in setup.milvus.generations() and setup.milvus.generations() == [live, newer]
    assert setup.milvus.held(setup.milvus.text_name(newer, PUBLIC))
