"""`python -m qa ingest` as a person runs it: a line per file, a summary table, exit 1 on failures."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from index.store import IndexStore
from tests.corpus import fixtures

REPO = Path(__file__).parents[2]
PAPERS = Path(__file__).parents[1] / "data" / "papers"
LIMIT_MB = str(fixtures.BAD_LIMIT / 2**20)

pytestmark = pytest.mark.slow


def ingest(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "qa", "ingest", *map(str, args)], cwd=REPO, env=env,
        capture_output=True, text=True, timeout=300, check=False,
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    papers = tmp_path_factory.mktemp("cli-ingest")
    shutil.copy(PAPERS / "scrutiny_pack.txt", papers)
    fixtures.pdf_with_furniture(papers / "cabinet.pdf")
    for kind in ("zero-byte", "encrypted", "oversized"):
        fixtures.bad_file(papers, kind)
    return papers


def test_dry_run_lists_changes_writes_nothing(folder: Path, tmp_path: Path) -> None:
    result = ingest(folder, "--index", tmp_path / "index", "--dry-run", "--max-file-mb", LIMIT_MB)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert f"would ingest {folder / 'cabinet.pdf'}: new file" in lines
    assert f"failed    {folder / 'empty.pdf'}: file is empty" in lines
    assert any(line.startswith(f"failed    {folder / 'big.txt'}: file is 24.2 KB, over the 10.0 KB limit")
               for line in lines)
    assert f"would ingest {folder / 'locked.pdf'}: new file" in lines  # only parsing finds it encrypted
    assert lines[-1] == "dry run: 3 to ingest, 0 unchanged, 0 to remove, 2 failed; nothing was parsed or written"
    assert not (tmp_path / "index").exists()


def test_ingest_reports_each_file_and_a_summary_and_exits_1(folder: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    result = ingest(folder, "--index", index, "--workers", "2", "--max-file-mb", LIMIT_MB)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert any(re.fullmatch(rf"ingested  {re.escape(str(folder / 'cabinet.pdf'))} \(\d+ chunks\)", line) for line in lines)
    assert f"failed    {folder / 'locked.pdf'}: encrypted PDF: it needs a password to open" in lines
    header = next(i for i, line in enumerate(lines) if line.split() == ["summary", "files", "chunks", "pages"])
    table = lines[header:][:5]
    assert [row.split()[:2] for row in table[1:]] == [["ingested", "2"], ["unchanged", "0"], ["removed", "0"],
                                                       ["failed", "3"]]
    assert table[1].split()[-1] == "3"  # pages: the PDF's three
    failed = lines[lines.index("failures:") + 1:][:3]
    assert [row.split()[0] for row in failed] == ["big.txt", "empty.pdf", "locked.pdf"]
    assert re.search(r"^2 ingested, 0 unchanged, 0 removed, 3 failed; index: 2 documents, \d+ chunks, \d+ embedded; "
                     r"3 pages parsed; seconds parse=", lines[-1])
    assert sorted(IndexStore(index).load().documents) == ["cabinet.pdf", "scrutiny_pack.txt"]
    again = ingest(folder, "--index", index, "--max-file-mb", LIMIT_MB)
    assert again.returncode == 1 and f"unchanged {folder / 'cabinet.pdf'} (" in again.stdout
    assert ", 0 embedded; 0 pages parsed;" in again.stdout
