"""Ingest of a folder as councils publish it, through the Builder with the real model and two
parsing processes: bad files fail by name with a reason, the others are indexed, and the
previous build keeps serving."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from corpus.ingest import Outcome
from index.builder import Builder, IngestReport
from index.embedder import Embedder
from index.store import IndexStore
from qa.assistant import Assistant
from qa.settings import Settings
from tests.corpus import fixtures

PAPERS = Path(__file__).parents[1] / "data" / "papers"
SAVED = Path(__file__).parents[1] / "corpus" / "data"
GOOD = ["cabinet.pdf", "moderngov_agenda_and_minutes.html", "scrutiny_pack.txt"]

pytestmark = pytest.mark.slow


@dataclass
class Run:
    """Two ingests of one folder: the good papers, then the same folder with bad files added."""

    folder: Path
    store: IndexStore
    first: IngestReport
    second: IngestReport
    first_build: Path
    settled: list[tuple[str, int, int]]


def statuses(report: IngestReport) -> dict[str, tuple[str, str]]:
    return {Path(o.path).name: (o.status, o.reason) for o in report.outcomes}


def builder(store: IndexStore, embedder: Embedder) -> Builder:
    return Builder(store, embedder, fixtures.BAD_LIMIT, workers=2)


def deleting(path: Path, seen: list[tuple[str, int, int]]) -> Callable[[Outcome, int, int], None]:
    """A progress listener that deletes `path` when the first file settles: mid-ingest."""

    def progress(outcome: Outcome, done: int, total: int) -> None:
        seen.append((Path(outcome.path).name, done, total))
        path.unlink(missing_ok=True)

    return progress


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Run:
    root = tmp_path_factory.mktemp("ingest")
    folder = root / "papers"
    folder.mkdir()
    fixtures.pdf_with_furniture(folder / "cabinet.pdf")
    shutil.copy(SAVED / "moderngov_agenda_and_minutes.html", folder)
    shutil.copy(PAPERS / "scrutiny_pack.txt", folder)
    store = IndexStore(root / "index")
    first = builder(store, embedder).ingest([folder])
    first_build = store.current()
    assert first_build is not None
    for kind in fixtures.BAD_INPUT:
        fixtures.bad_file(folder, kind)
    (folder / "wellbeing_board.md").write_bytes((PAPERS / "wellbeing_board.md").read_bytes())
    vanishing = folder / "zz_vanishes.txt"  # planned last, deleted as soon as the first file settles
    vanishing.write_text(fixtures.MINUTES, encoding="utf-8")
    settled: list[tuple[str, int, int]] = []
    second = builder(store, embedder).ingest([folder], progress=deleting(vanishing, settled))
    return Run(folder, store, first, second, first_build, settled)


def test_first_ingest_reads_every_format_in_parallel(run: Run) -> None:
    assert statuses(run.first) == {name: ("ingested", "") for name in GOOD}
    assert run.first.pages == 3 and all(o.chunks for o in run.first.outcomes)


def test_each_bad_file_fails_by_name_with_its_reason(run: Run, tmp_path: Path) -> None:
    found = statuses(run.second)
    expected = {fixtures.bad_file(tmp_path, kind).name: reason for kind, reason in fixtures.BAD_INPUT.items()
                if kind != "vanished"} | {"zz_vanishes.txt": fixtures.BAD_INPUT["vanished"]}
    for name, reason in expected.items():
        status, why = found[name]
        assert status == "failed" and why.startswith(reason), (name, why)
    assert len(run.second.failed) == len(expected)


def test_everything_else_is_indexed(run: Run) -> None:
    found = statuses(run.second)
    assert {name: found[name][0] for name in GOOD} == {name: "unchanged" for name in GOOD}
    assert found["wellbeing_board.md"] == ("ingested", "")
    assert sorted(run.store.load().documents) == sorted(GOOD + ["wellbeing_board.md"])


def test_progress_counts_every_file_once(run: Run) -> None:
    total = len(GOOD) + len(fixtures.BAD_INPUT) - 1 + 2  # the good, the bad, the new .md, the vanishing
    assert [done for _, done, _ in run.settled] == list(range(1, total + 1))
    assert {t for _, _, t in run.settled} == {total}
    assert sorted(name for name, _, _ in run.settled) == sorted(Path(o.path).name for o in run.second.outcomes)


def test_the_previous_build_serves_until_the_next_is_complete(run: Run, embedder: Embedder) -> None:
    current = run.store.current()
    assert current is not None and current != run.first_build and run.first_build.is_dir()
    only_bad = run.folder.parent / "only-bad"
    only_bad.mkdir()
    fixtures.bad_file(only_bad, "encrypted")
    report = builder(run.store, embedder).ingest([only_bad])
    assert [o.status for o in report.outcomes] == ["failed"]
    assert run.store.current() == current  # nothing written: the last build still serves
    assert sorted(run.store.load().documents) == sorted(GOOD + ["wellbeing_board.md"])


def test_dry_run_lists_what_would_change_and_writes_nothing(run: Run, embedder: Embedder) -> None:
    current = run.store.current()
    (run.folder / "scrutiny_pack.txt").write_text("Changed.\n" + (PAPERS / "scrutiny_pack.txt").read_text("utf-8"))
    (run.folder / "wellbeing_board.md").unlink()
    fixtures.simple_pdf(run.folder / "new.pdf", ["A new paper"])
    report = builder(run.store, embedder).ingest([run.folder], dry_run=True)
    found = statuses(report)
    assert found["scrutiny_pack.txt"] == ("ingested", "changed since the last ingest")
    assert found["new.pdf"] == ("ingested", "new file")
    assert found["cabinet.pdf"] == ("unchanged", "")
    assert found["wellbeing_board.md"] == ("removed", "no longer in its folder")
    assert found["empty.pdf"][0] == "failed" and report.dry_run and report.embedded == 0
    assert run.store.current() == current


def test_pdf_citations_carry_the_printed_page(run: Run, embedder: Embedder) -> None:
    index = run.store.load(embedder.model_path)
    assistant = Assistant(index, embedder, Settings.from_env(index_dir=run.store.folder))
    answer = assistant.ask("How much will the benches cost?")
    cited = [c for c in answer.citations if c.source == "cabinet.pdf"]
    assert cited and all(c.page in (5, 6, 7) for c in cited)  # printed "Page N", not the PDF's 1-3
    assert any(c.page == 6 and "Benches" in c.text for c in cited)
    decided = assistant.ask("What was resolved about the kerbside glass collection trial?")
    assert any(c.source == "moderngov_agenda_and_minutes.html" and c.kind == "resolution"
               and "Westgate and Hillside" in c.text for c in decided.citations)
