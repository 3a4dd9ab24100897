"""`python -m qa ingest --ray ADDRESS` on a real Ray cluster on this machine (a head and a worker
node, one CPU each, started and stopped here): the same lines, exit codes, incremental steps,
chunks, vectors and answers as a local ingest of the same folder; a bad address fails cleanly."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from index.store import IndexStore
from qa.assistant import Assistant
from qa.settings import Settings
from tests.corpus import fixtures
from tests.processes import free_port
from tests.ray_cluster import LocalCluster

REPO = Path(__file__).parents[2]
PAPERS = Path(__file__).parents[1] / "data" / "papers"
QUESTIONS = ["How much will the benches cost?", "Who chaired the Children and Families Scrutiny Committee?"]

pytestmark = pytest.mark.slow


def ingest(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "RAY_USAGE_STATS_ENABLED": "0"}
    return subprocess.run([sys.executable, "-m", "qa", "ingest", *map(str, args)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def file_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The per-file lines (they come in the order files finish, which may differ), sorted."""
    return sorted(line for line in result.stdout.splitlines()
                  if line.split(" ", 1)[0] in ("ingested", "unchanged", "removed", "failed"))


def summary(result: subprocess.CompletedProcess[str]) -> str:
    """The totals line without its timings."""
    return result.stdout.splitlines()[-1].split("; seconds ")[0]


@dataclass
class Step:
    local: subprocess.CompletedProcess[str]
    ray: subprocess.CompletedProcess[str]


@dataclass
class Run:
    folder: Path
    local: IndexStore
    ray: IndexStore
    first: Step
    second: Step


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """A head and one worker node, one CPU each: the second encoding actor can only live on the worker."""
    with LocalCluster(workers=1, head_cpus=1, worker_cpus=1) as running:
        yield running


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, cluster: LocalCluster) -> Run:
    """One folder ingested locally and on Ray, then changed (one file edited, one deleted) and
    ingested again both ways."""
    root = tmp_path_factory.mktemp("ray-ingest")
    folder = root / "papers"
    folder.mkdir()
    for name in ("scrutiny_pack.txt", "wellbeing_board.md"):
        shutil.copy(PAPERS / name, folder)
    fixtures.pdf_with_furniture(folder / "cabinet.pdf")
    fixtures.bad_file(folder, "encrypted")
    local, ray = IndexStore(root / "local"), IndexStore(root / "ray")

    def both() -> Step:
        return Step(ingest(folder, "--index", local.folder), ingest(folder, "--index", ray.folder, "--ray", cluster.address))

    first = both()
    scrutiny = folder / "scrutiny_pack.txt"
    scrutiny.write_text(scrutiny.read_text(encoding="utf-8") + "\n\n71 SCHOOL TRANSPORT\n\nThe Committee noted "
                        "that school transport costs rose by 4% in the year.\n", encoding="utf-8")
    (folder / "wellbeing_board.md").unlink()
    return Run(folder, local, ray, first, both())


def test_the_ray_ingest_joins_both_nodes_and_reports_like_the_local_one(run: Run) -> None:
    ray, local = run.first.ray, run.first.local
    assert "ray: joined the cluster at 127.0.0.1:" in ray.stderr and ": 2 nodes, 2 CPUs" in ray.stderr, ray.stderr
    assert ray.returncode == local.returncode == 1, ray.stderr  # the locked PDF
    assert f"failed    {run.folder / 'locked.pdf'}: encrypted PDF: it needs a password to open" in ray.stdout
    assert file_lines(ray) == file_lines(local)
    assert summary(ray) == summary(local)
    assert re.match(r"3 ingested, 0 unchanged, 0 removed, 1 failed; index: 3 documents, \d+ chunks, \d+ embedded; "
                    r"3 pages parsed", summary(ray))
    assert "Traceback" not in ray.stderr


def test_a_second_ray_ingest_skips_reindexes_and_removes_like_the_local_one(run: Run) -> None:
    ray, local = run.second.ray, run.second.local
    assert ray.returncode == local.returncode == 1, ray.stderr
    lines = file_lines(ray)
    assert lines == file_lines(local)
    assert any(line.startswith(f"unchanged {run.folder / 'cabinet.pdf'} (") for line in lines)
    assert any(line.startswith(f"ingested  {run.folder / 'scrutiny_pack.txt'} (") for line in lines)
    assert f"removed   {run.folder / 'wellbeing_board.md'}: no longer in its folder" in lines
    assert summary(ray) == summary(local)
    embedded = int(re.search(r"(\d+) embedded", summary(ray)).group(1))  # type: ignore[union-attr]
    assert 0 < embedded < int(re.search(r"(\d+) embedded", summary(run.first.ray)).group(1))  # type: ignore[union-attr]


def test_the_ray_build_holds_the_local_chunks_and_vectors(run: Run) -> None:
    ray, local = run.ray.load(), run.local.load()
    assert sorted(ray.documents) == sorted(local.documents) == ["cabinet.pdf", "scrutiny_pack.txt"]
    assert [(c.source, c.start, c.end, c.text) for c in ray.chunks] == [(c.source, c.start, c.end, c.text)
                                                                         for c in local.chunks]
    assert ray.hashes == local.hashes and ray.manifest["vectors"] == local.manifest["vectors"]
    np.testing.assert_allclose(ray.vectors.astype(np.float32), local.vectors.astype(np.float32), atol=1e-3)
    assert np.array_equal(ray.owners, local.owners)


def test_the_ray_build_answers_as_the_local_one(run: Run) -> None:
    ray = Assistant.open(Settings.from_env(index_dir=run.ray.folder))
    local = Assistant.open(Settings.from_env(index_dir=run.local.folder))
    for question in QUESTIONS:
        got, want = ray.ask(question).to_json(), local.ask(question).to_json()
        got.pop("took_ms"), want.pop("took_ms")
        assert got == want
    assert ray.ask(QUESTIONS[0]).answerable


def test_a_bad_address_fails_in_words_and_keeps_the_previous_build(run: Run) -> None:
    before = run.ray.current()
    closed = f"127.0.0.1:{free_port()}"
    result = ingest(run.folder, "--index", run.ray.folder, "--ray", closed)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: no Ray cluster answers at {closed} (Connection refused)"), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    garbled = ingest(run.folder, "--index", run.ray.folder, "--ray", "head-node")
    assert garbled.returncode == 2 and "--ray takes the head node's HOST:PORT" in garbled.stderr
    assert run.ray.current() == before
    assert sorted(run.ray.load().documents) == ["cabinet.pdf", "scrutiny_pack.txt"]


def test_one_joined_runner_serves_ingest_after_ingest(cluster: LocalCluster, tmp_path: Path) -> None:
    """The encoding actors give their CPUs back when the embedding is done: a second ingest
    through the same runner gets CPUs to parse on (it waited for ever when they kept them)."""
    folder = tmp_path / "papers"
    folder.mkdir()
    shutil.copy(PAPERS / "wellbeing_board.md", folder)
    code = f"""
import shutil
from pathlib import Path
from index.builder import Builder
from index.runner import ray_runner
from index.store import IndexStore
from qa.assistant import embedder_for
from qa.settings import Settings
embedder = embedder_for(Settings.from_env())
with ray_runner({cluster.address!r}, embedder, None) as runner:
    builder = Builder(IndexStore(Path({str(tmp_path / "index")!r})), embedder, 2**20, runner=runner)
    for source in ("wellbeing_board.md", "scrutiny_pack.txt"):
        shutil.copy(Path({str(PAPERS)!r}) / source, Path({str(folder)!r}))
        report = builder.ingest([Path({str(folder)!r})])
        print(sorted((Path(o.path).name, o.status) for o in report.outcomes), report.embedded > 0)
"""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "RAY_USAGE_STATS_ENABLED": "0"}
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=180, check=False)
    assert result.stdout.splitlines() == [
        "[('wellbeing_board.md', 'ingested')] True",
        "[('scrutiny_pack.txt', 'ingested'), ('wellbeing_board.md', 'unchanged')] True",
    ], result.stderr[-3000:]


def test_without_ray_nothing_of_ray_is_imported(tmp_path: Path) -> None:
    """A local ingest, run as the CLI runs, in a fresh interpreter that then lists its modules."""
    shutil.copy(PAPERS / "wellbeing_board.md", tmp_path)
    code = ("import sys\nfrom qa.cli import app\n"
            f"try:\n    app(['ingest', {str(tmp_path / 'wellbeing_board.md')!r}, '--index', {str(tmp_path / 'index')!r}])\n"
            "except SystemExit as done:\n    print('exit', done.code)\n"
            "print('ray loaded:', sorted(m for m in sys.modules if m == 'ray' or m.startswith(('ray.', 'index.ray'))))\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert "ingested  " in result.stdout and "exit 0" in result.stdout, result.stdout + result.stderr
    assert "ray loaded: []" in result.stdout
