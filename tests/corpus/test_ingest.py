"""The ingest boundary without an index: each file becomes an outcome with a reason, and the
sidecar overrides what the text says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.ingest import SIDECAR_KEY, read_outcome, sidecar_key
from tests.corpus import fixtures


@pytest.mark.parametrize(("kind", "reason"), fixtures.BAD_INPUT.items())
def test_bad_input_fails_with_its_reason(tmp_path: Path, kind: str, reason: str) -> None:
    path = fixtures.bad_file(tmp_path, kind)
    outcome, doc = read_outcome(path, None, "-", fixtures.BAD_LIMIT)
    assert doc is None
    assert (outcome.path, outcome.status) == (str(path), "failed")
    assert outcome.reason.startswith(reason), outcome.reason


def test_a_good_file_is_ingested_with_its_chunks_and_pages(tmp_path: Path) -> None:
    path = fixtures.pdf_with_furniture(tmp_path / "minutes.pdf")
    outcome, doc = read_outcome(path, tmp_path, "abc", 2**20)
    assert doc is not None and (outcome.status, outcome.reason) == ("ingested", "")
    assert outcome.chunks == len(doc.chunks) > 0 and outcome.pages == 3
    assert {c.page for c in doc.chunks} <= {5, 6, 7} and all(c.page for c in doc.chunks)


def test_text_guesses_fill_in_and_the_sidecar_overrides_them(tmp_path: Path) -> None:
    path = tmp_path / "wretton.md"
    path.write_text("MINUTES OF WRETTON PARISH COUNCIL MEETING HELD MONDAY 13TH MAY 2019\n\n"
                    "Present: five councillors and one member of the public.\n", encoding="utf-8")
    _, doc = read_outcome(path, None, "-", 2**20)
    assert doc is not None
    assert {(c.committee, c.meeting_date) for c in doc.chunks} == {("Wretton Parish Council", "2019-05-13")}
    (tmp_path / "wretton.md.meta.json").write_text(json.dumps({"meeting_date": "2019-05-14"}), encoding="utf-8")
    _, doc = read_outcome(path, None, "-", 2**20)
    assert doc is not None
    assert {(c.committee, c.meeting_date) for c in doc.chunks} == {("Wretton Parish Council", "2019-05-14")}
    assert doc.meta[SIDECAR_KEY] == sidecar_key(path) == '{"meeting_date": "2019-05-14"}'


def test_a_folder_sidecar_applies_and_a_broken_sidecar_fails_the_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("A single paragraph with enough words to be one chunk of text.\n", encoding="utf-8")
    (tmp_path / "clerk.meta.json").write_text('{"committee": "Cabinet"}', encoding="utf-8")
    _, doc = read_outcome(path, None, "-", 2**20)
    assert doc is not None and {c.committee for c in doc.chunks} == {"Cabinet"}
    (tmp_path / "notes.txt.meta.json").write_text("{not json", encoding="utf-8")
    outcome, doc = read_outcome(path, None, "-", 2**20)
    assert doc is None and outcome.reason.startswith("sidecar notes.txt.meta.json is not valid JSON")


def test_partly_scanned_pdf_is_ingested_with_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract on this PATH
    path = fixtures.scanned_pdf(tmp_path / "mixed.pdf", [None, "Scanned minutes"])
    outcome, doc = read_outcome(path, None, "-", 2**20)
    assert doc is not None and outcome.status == "ingested"
    assert outcome.reason == "page 2 skipped: scanned, no text layer: install tesseract-ocr"
    assert "warning" not in doc.meta
