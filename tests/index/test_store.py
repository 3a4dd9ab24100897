"""The index folder: incremental ingest, per-file failures, damage detection and atomic switches.

Every test builds its own small index in a temporary folder with the real model (loaded once).
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from corpus.errors import IndexMismatch, IndexMissing
from index.builder import Builder, IngestReport
from index.embedder import Embedder
from index.store import Index, IndexStore
from qa.assistant import Assistant
from qa.settings import Settings

DATA = Path(__file__).parents[1] / "data" / "papers"
NAMES = ["scrutiny_pack.txt", "wellbeing_board.md"]

pytestmark = pytest.mark.slow


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    papers = tmp_path / "papers"
    papers.mkdir()
    for name in NAMES:
        shutil.copy(DATA / name, papers / name)
    return papers


@pytest.fixture
def store(tmp_path: Path) -> IndexStore:
    return IndexStore(tmp_path / "index")


def ingest(store: IndexStore, embedder: Embedder, *paths: Path) -> IngestReport:
    return Builder(store, embedder, 2**20).ingest(list(paths))


def statuses(report: IngestReport) -> dict[str, str]:
    return {Path(o.path).name: o.status for o in report.outcomes}


def load(store: IndexStore, embedder: Embedder) -> Index:
    return store.load(embedder.model_path)


# --- building and incremental updates --------------------------------------------------------


def test_first_ingest_indexes_every_file(store: IndexStore, folder: Path, embedder: Embedder) -> None:
    report = ingest(store, embedder, folder)
    assert statuses(report) == {name: "ingested" for name in NAMES}
    index = load(store, embedder)
    assert sorted(index.documents) == NAMES
    assert report.chunks == len(index.chunks) > 0
    # One vector per chunk, plus one per sentence of a prose chunk; every chunk has its own.
    assert report.embedded == len(index.vectors) == len(index.owners) >= len(index.chunks)
    assert index.vectors.shape[1] == embedder.dimension
    assert set(index.owners.tolist()) == set(range(len(index.chunks)))
    assert index.acronyms["CICC"] == "Children in Care Council"
    for chunk in index.chunks:
        assert index.documents[chunk.source].text[chunk.start : chunk.end] == chunk.text


def test_the_manifest_explains_the_build(store: IndexStore, folder: Path, embedder: Embedder) -> None:
    ingest(store, embedder, folder)
    manifest = load(store, embedder).manifest
    assert manifest["model"] == embedder.model_path
    assert manifest["dimension"] == embedder.dimension
    assert set(manifest["files"]) == set(NAMES)
    assert {"vectors.npy", "chunks.jsonl", "documents.jsonl"} <= set(manifest["checksums"])


def test_reingesting_unchanged_files_embeds_nothing(store: IndexStore, folder: Path, embedder: Embedder) -> None:
    ingest(store, embedder, folder)
    build = store.current()
    report = ingest(store, embedder, folder)
    assert statuses(report) == {name: "unchanged" for name in NAMES}
    assert report.embedded == 0
    assert store.current() == build, "nothing changed, so no new build"


def edit_board(folder: Path) -> None:
    board = folder / "wellbeing_board.md"
    text = board.read_text(encoding="utf-8")
    board.write_text(text.replace("51 community champions", "64 community champions"), encoding="utf-8")


def chunks_per_source(index: Index) -> Counter[str]:
    return Counter(c.source for c in index.chunks)


def test_a_changed_file_is_reread_and_only_its_new_chunks_embedded(
    store: IndexStore, folder: Path, embedder: Embedder
) -> None:
    ingest(store, embedder, folder)
    before = load(store, embedder)
    edit_board(folder)
    report = ingest(store, embedder, folder)
    assert statuses(report) == {"scrutiny_pack.txt": "unchanged", "wellbeing_board.md": "ingested"}
    after = load(store, embedder)
    new_keys = [h for h in after.hashes if h not in set(before.hashes)]
    assert report.embedded == len(new_keys) >= 1
    board_rows = {i for i, c in enumerate(after.chunks) if c.source == "wellbeing_board.md"}
    assert report.embedded < sum(1 for row in after.owners.tolist() if row in board_rows)
    assert any("64 community champions" in c.text for c in after.chunks)
    assert not any("51 community champions" in c.text for c in after.chunks)


def test_another_embedding_backend_embeds_again_and_questions_follow_the_index(
    store: IndexStore, folder: Path, embedder: Embedder
) -> None:
    ingest(store, embedder, folder)
    assert load(store, embedder).vector_kind == embedder.kind == "int8"  # the default backend
    fp32 = Embedder(embedder.model_path, backend="onnx", cache_dir=embedder.cache_dir)
    report = ingest(store, fp32, folder)
    index = load(store, fp32)
    assert statuses(report) == {name: "unchanged" for name in NAMES}
    assert report.embedded == len(index.vectors) and index.vector_kind == "fp32"
    assert index.manifest["backend"] == "onnx"
    # Settings that still name int8 encode questions as the index was built.
    assistant = Assistant(index, embedder, Settings.from_env())
    assert assistant.embedder.kind == "fp32" and assistant.embedder.backend == "onnx"
    assert all(r.embedder is assistant.embedder for r in assistant.retrievers.values())
    assert ingest(store, fp32, folder).embedded == 0


def test_a_change_appends_vectors_and_the_old_rows_stay_where_they_were(
    store: IndexStore, folder: Path, embedder: Embedder
) -> None:
    ingest(store, embedder, folder)
    before = load(store, embedder)
    edit_board(folder)
    ingest(store, embedder, folder)
    after = load(store, embedder)
    n = len(before.vectors)
    assert after.hashes[:n] == before.hashes and np.array_equal(after.vectors[:n], before.vectors)
    dead = np.flatnonzero(after.owners < 0)
    assert len(dead) >= 1 and dead.max() < n and len(after.vectors) > n
    # The dead row of the old sentence is the nearest vector to it, and is never returned.
    old = next(c.text for c in before.chunks if "51 community champions" in c.text)
    retriever = Assistant(after, embedder, Settings.from_env()).retriever
    found = retriever.dense(embedder.encode([old])[0], 20, None)
    assert found and all(0 <= row < len(after.chunks) for row in found)
    assert not any("51 community champions" in after.chunks[row].text for row in found)


def test_rows_are_laid_out_afresh_when_many_are_dead_or_on_rebuild(
    store: IndexStore, folder: Path, embedder: Embedder
) -> None:
    ingest(store, embedder, folder)
    edit_board(folder)
    ingest(store, embedder, folder)
    assert load(store, embedder).live is not None
    Builder(store, embedder, 2**20).ingest([folder], rebuild=True)
    rebuilt = load(store, embedder)
    assert rebuilt.live is None and set(rebuilt.owners.tolist()) == set(range(len(rebuilt.chunks)))
    (folder / "scrutiny_pack.txt").unlink()  # most of the vectors: their rows would be dead
    ingest(store, embedder, folder)
    after = load(store, embedder)
    assert after.live is None and set(after.owners.tolist()) == set(range(len(after.chunks)))


def test_unchanged_files_keep_their_chunks_when_another_file_changes(
    store: IndexStore, folder: Path, embedder: Embedder
) -> None:
    ingest(store, embedder, folder)
    before = chunks_per_source(load(store, embedder))
    edit_board(folder)
    ingest(store, embedder, folder)
    after = load(store, embedder)
    assert chunks_per_source(after)["scrutiny_pack.txt"] == before["scrutiny_pack.txt"] > 0
    assert any(c.kind == "table" and c.text.startswith("NI59") for c in after.chunks)


def test_loaded_documents_carry_their_chunks(store: IndexStore, folder: Path, embedder: Embedder) -> None:
    ingest(store, embedder, folder)
    index = load(store, embedder)
    for source, doc in index.documents.items():
        assert doc.chunks == tuple(c for c in index.chunks if c.source == source)


def test_unicode_line_separators_in_a_paper_survive_the_index(store: IndexStore, tmp_path: Path,
                                                              embedder: Embedder) -> None:
    papers = tmp_path / "odd"
    papers.mkdir()
    text = "Minutes of the Audit Committee\n\nThe report\u2028was noted\u2029and the\x85plan agreed.\n"
    (papers / "odd.txt").write_text(text, encoding="utf-8")
    ingest(store, embedder, papers)
    index = load(store, embedder)
    assert "\u2028was noted\u2029and the\x85plan" in index.documents["odd.txt"].text
    assert any("\u2028" in c.text for c in index.chunks)


def test_a_deleted_file_is_removed_with_its_chunks(store: IndexStore, folder: Path, embedder: Embedder) -> None:
    ingest(store, embedder, folder)
    (folder / "wellbeing_board.md").unlink()
    pack = folder / "scrutiny_pack.txt"
    pack.write_text(pack.read_text(encoding="utf-8") + "\nA closing note.\n", encoding="utf-8")
    report = ingest(store, embedder, folder)
    assert statuses(report) == {"scrutiny_pack.txt": "ingested", "wellbeing_board.md": "removed"}
    index = load(store, embedder)
    assert list(index.documents) == ["scrutiny_pack.txt"]
    assert set(chunks_per_source(index)) == {"scrutiny_pack.txt"}
    assert len(index.vectors) == len(index.owners) and len(index.chunks) == index.lexical.size
    assert set(index.owners.tolist()) == set(range(len(index.chunks)))


def test_a_file_deleted_from_the_folder_is_removed(store: IndexStore, folder: Path, embedder: Embedder) -> None:
    ingest(store, embedder, folder)
    (folder / "wellbeing_board.md").unlink()
    report = ingest(store, embedder, folder)
    assert statuses(report) == {"scrutiny_pack.txt": "unchanged", "wellbeing_board.md": "removed"}
    index = load(store, embedder)
    assert list(index.documents) == ["scrutiny_pack.txt"]
    assert {c.source for c in index.chunks} == {"scrutiny_pack.txt"}
    assert len(index.vectors) == len(index.owners) and len(index.chunks) == index.lexical.size
    assert set(index.owners.tolist()) == set(range(len(index.chunks)))


def test_broken_files_fail_with_reasons_while_the_others_ingest(
    store: IndexStore, folder: Path, embedder: Embedder
) -> None:
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "undecodable.txt").write_bytes(bytes(range(128, 256)) * 4)
    report = ingest(store, embedder, folder)
    outcomes = {Path(o.path).name: o for o in report.outcomes}
    assert {name: o.status for name, o in outcomes.items()} == {
        "scrutiny_pack.txt": "ingested", "wellbeing_board.md": "ingested",
        "empty.txt": "failed", "binary.txt": "failed", "undecodable.txt": "failed",
    }
    assert "empty" in outcomes["empty.txt"].reason
    assert "binary" in outcomes["binary.txt"].reason
    assert "decode" in outcomes["undecodable.txt"].reason
    assert len(report.failed) == 3
    assert sorted(load(store, embedder).documents) == NAMES


def test_a_missing_path_fails_and_the_rest_ingest(store: IndexStore, folder: Path, embedder: Embedder) -> None:
    report = ingest(store, embedder, folder / "scrutiny_pack.txt", folder / "nope.txt")
    assert statuses(report) == {"scrutiny_pack.txt": "ingested", "nope.txt": "failed"}
    assert list(load(store, embedder).documents) == ["scrutiny_pack.txt"]


# --- loading, damage and atomic switches ------------------------------------------------------


def test_loading_an_empty_folder_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing, match="python -m qa ingest"):
        IndexStore(tmp_path / "none").load()


def test_a_damaged_vectors_file_is_a_mismatch_naming_the_rebuild(
    store: IndexStore, folder: Path, embedder: Embedder
) -> None:
    ingest(store, embedder, folder)
    build = store.current()
    assert build is not None
    vectors = build / "vectors.npy"
    data = bytearray(vectors.read_bytes())
    data[-8:] = b"\xff" * 8
    vectors.write_bytes(bytes(data))
    with pytest.raises(IndexMismatch) as caught:
        load(store, embedder)
    message = str(caught.value)
    assert "vectors.npy" in message
    assert "python -m qa ingest" in message and "--rebuild" in message


def test_ingest_over_a_damaged_index_rebuilds_it(store: IndexStore, folder: Path, embedder: Embedder) -> None:
    ingest(store, embedder, folder)
    build = store.current()
    assert build is not None
    (build / "chunks.jsonl").write_text("", encoding="utf-8")
    report = ingest(store, embedder, folder)
    assert statuses(report) == {name: "ingested" for name in NAMES}
    assert sorted(load(store, embedder).documents) == NAMES


def test_an_index_built_by_another_model_is_a_mismatch(store: IndexStore, folder: Path, embedder: Embedder) -> None:
    ingest(store, embedder, folder)
    with pytest.raises(IndexMismatch, match="model"):
        store.load("some/other-model")


def test_a_half_written_build_leaves_the_current_one_loadable(
    store: IndexStore, folder: Path, embedder: Embedder
) -> None:
    ingest(store, embedder, folder)
    live = store.current()
    assert live is not None
    half = store.folder / "builds" / ".29991231T235959-1-1.tmp"
    half.mkdir()
    (half / "documents.jsonl").write_text('{"source": "half', encoding="utf-8")
    assert store.current() == live
    assert sorted(load(store, embedder).documents) == NAMES
    # The next real build switches CURRENT and sweeps the leftover away.
    edit_board(folder)
    ingest(store, embedder, folder)
    assert store.current() != live
    assert not half.exists()


def test_the_previous_build_stays_loadable_after_a_switch(
    store: IndexStore, folder: Path, embedder: Embedder
) -> None:
    ingest(store, embedder, folder)
    old = store.current()
    edit_board(folder)
    ingest(store, embedder, folder)
    new = store.current()
    assert old is not None and new is not None and old != new and old.is_dir()
    assert any("64 community champions" in c.text for c in load(store, embedder).chunks)
    store.pointer.write_text(old.name, encoding="utf-8")
    assert any("51 community champions" in c.text for c in load(store, embedder).chunks)


def test_a_pointer_to_a_missing_build_is_no_index(store: IndexStore, folder: Path, embedder: Embedder) -> None:
    ingest(store, embedder, folder)
    store.pointer.write_text("gone", encoding="utf-8")
    assert not store.exists()
    with pytest.raises(IndexMissing):
        load(store, embedder)


def test_a_new_chunker_version_tokenises_every_text_again(
    store: IndexStore, folder: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import index.builder as builder_module
    import index.lexical as lexical_module

    ingest(store, embedder, folder)
    real = lexical_module.tokenize
    monkeypatch.setattr(lexical_module, "tokenize", lambda text: [*real(text), "zzmarker"])
    edit_board(folder)  # a change, but unchanged texts keep the terms they were given
    ingest(store, embedder, folder)
    assert load(store, embedder).lexical.idf(["zzmarker"])["zzmarker"] > 1.0  # only a few new texts
    monkeypatch.setattr(builder_module, "CHUNKER_VERSION", builder_module.CHUNKER_VERSION + 1)
    report = ingest(store, embedder, folder)
    assert report.embedded == 0  # vectors are still cached by text
    assert load(store, embedder).lexical.idf(["zzmarker"])["zzmarker"] < 0.1  # every text has it now
