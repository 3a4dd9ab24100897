"""The command line as people and scripts run it: `python -m qa ingest | ask` in a subprocess.

Each run loads the model, so the runs are few and shared through module fixtures.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
DATA = Path(__file__).parents[1] / "data" / "papers"
CONTRACT_FIELDS = {"id", "question", "answer", "answerable", "confidence", "citations", "took_ms"}
CITATION_FIELDS = {"source", "start", "end", "text", "page", "title", "committee", "meeting_date", "kind", "score"}

pytestmark = pytest.mark.slow


def run(*args: str | Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **settings}
    return subprocess.run(
        [sys.executable, "-m", "qa", *map(str, args)], cwd=REPO, env=env,
        capture_output=True, text=True, timeout=300, check=False,
    )


@pytest.fixture(scope="module")
def papers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-papers")
    shutil.copy(DATA / "scrutiny_pack.txt", folder / "scrutiny_pack.txt")
    (folder / "empty.txt").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, papers: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    index = tmp_path_factory.mktemp("cli-index")
    return index, run("ingest", papers, "--index", index)


def test_ingest_reports_each_file_and_exits_1_when_one_failed(
    ingested: tuple[Path, subprocess.CompletedProcess[str]]
) -> None:
    _, result = ingested
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("ingested") and line.rstrip().split()[1].endswith("scrutiny_pack.txt")
               for line in lines), result.stdout
    failed = [line for line in lines if line.startswith("failed")]
    assert len(failed) == 1 and "empty.txt" in failed[0] and "empty" in failed[0].split(":", 1)[1]
    assert "1 ingested" in result.stdout and "1 failed" in result.stdout


def test_ask_json_prints_the_answer_object(ingested: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    index, _ = ingested
    result = run("ask", "what was NI 59 in Q3?", "--json", "--k", "3", "--index", index)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert CONTRACT_FIELDS <= data.keys()
    assert data["question"] == "what was NI 59 in Q3?"
    assert data["answer"].startswith("41%") and data["answerable"] is True
    assert 0.0 <= data["confidence"] <= 1.0 and data["took_ms"] >= 0
    assert 1 <= len(data["citations"]) <= 3
    text = (DATA / "scrutiny_pack.txt").read_text(encoding="utf-8")
    for citation in data["citations"]:
        assert CITATION_FIELDS <= citation.keys()
        assert citation["source"] == "scrutiny_pack.txt"
        assert text[citation["start"] : citation["end"]] == citation["text"]
    assert data["answer"] in data["citations"][0]["text"]


def test_ask_batch_answers_every_line_in_order_with_ids(
    tmp_path: Path, ingested: tuple[Path, subprocess.CompletedProcess[str]]
) -> None:
    index, _ = ingested
    rows = [
        {"id": "q-1", "question": "what was NI 59 in Q3?"},
        {"id": 2, "question": "And in Q4?", "history": [{"question": "what was NI 59 in Q3?", "answer": "41%"}]},
        {"id": {"n": 3}, "question": ""},
        {"id": "q-4", "question": "What is the CICC?"},
    ]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    # the rule answerer's exact cells and expansion; the batch's ids, order and errors are the point
    result = run("ask", "--batch", batch, "--index", index, CLERK_ANSWERER="rules")
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [a["id"] for a in answers] == ["q-1", 2, {"n": 3}, "q-4"]
    assert all(CONTRACT_FIELDS <= a.keys() for a in answers)
    assert answers[0]["answer"].startswith("41%")
    assert answers[1]["answer"] == "41%" and answers[1]["answer_label"].endswith("Quarter 4")
    assert answers[2]["answerable"] is False and answers[2]["error"]
    assert answers[3]["answer"] == "Children in Care Council"


def test_ask_without_an_index_says_how_to_build_one(tmp_path: Path) -> None:
    result = run("ask", "anything?", "--index", tmp_path / "none")
    assert result.returncode == 2
    assert result.stderr.startswith("error: no index") and "python -m qa ingest" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_stage_that_did_no_work_shows_no_rate() -> None:
    from qa.ingest_report import rate

    assert rate(156, 8.2) == " (19 pages/s)"
    assert rate(156, 0.00001) == ""  # every text cached: no '123613283 pages/s'
    assert rate(0, 3.0) == ""
