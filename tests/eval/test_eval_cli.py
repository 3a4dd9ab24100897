"""`python -m eval run` and `gate` end to end over the real test index (real MiniLM, FAISS, BM25):
the report folder, side-by-side configurations, failures, and a gate that fails a worse config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from eval.__main__ import app
from qa.assistant import Assistant
from qa.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def index(assistant: Assistant, settings: Settings) -> Path:
    """The session's test index (the assistant fixture builds it)."""
    return settings.index_dir


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def report(index: Path, question_file: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    out = tmp_path_factory.mktemp("report")
    # `--configs hybrid dense` leaves "dense" positional, as a shell would
    result = invoke("run", "--questions", question_file, "--index", index, "--configs", "hybrid", "dense",
                    "--out", out, "--failures", "--json", out / "all.json")
    return result, out


def test_run_prints_a_table_per_config_and_the_comparison(report: tuple[Result, Path]) -> None:
    result, _ = report
    assert result.exit_code == 0, result.output
    assert "8 questions · k=10 · configs hybrid, dense" in result.output
    assert "### hybrid (mode=hybrid)" in result.output and "### dense (mode=dense)" in result.output
    assert "### dense against hybrid" in result.output
    # dense-only retrieval misses the NI 59 table row the hybrid finds first
    assert "### failures (hybrid): 0 questions" in result.output


def test_report_folder(report: tuple[Result, Path]) -> None:
    _, out = report
    text = (out / "report.md").read_text(encoding="utf-8")
    assert "- questions: 8 (7 answerable, 1 must be empty)" in text
    assert "| type | n | R@1 | R@5 | R@10 | MRR | nDCG@10 | answer acc | abst P | abst R |" in text
    assert "| must be empty | 1 |" in text and "## Comparison" in text
    assert "![recall at k](recall_at_k.png)" in text and "![accuracy by type](accuracy_by_type.png)" in text
    assert "![reliability](reliability.png)" in text and "expected calibration error" in text
    for chart in ("recall_at_k.png", "accuracy_by_type.png", "reliability.png"):
        data = (out / chart).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 16 and {r["config"] for r in rows} == {"hybrid", "dense"}
    ni59 = next(r for r in rows if r["id"] == "t01" and r["config"] == "hybrid")
    assert ni59["first_hit_rank"] == 1 and ni59["correct"] and ni59["citations"][0]["hit"] is True
    assert ni59["citations"][0]["source"] == "scrutiny_pack.txt" and len(ni59["citations"]) == 10
    summary = json.loads((out / "all.json").read_text(encoding="utf-8"))
    assert summary["modes"]["hybrid"]["groups"]["ALL"]["n"] == 8


def test_failures_show_evidence_citations_and_answer(report: tuple[Result, Path]) -> None:
    _, out = report
    failures = (out / "failures.md").read_text(encoding="utf-8")
    dense = failures[failures.index("### failures (dense)"):]
    block = dense[dense.index("#### t01 (table)"):].split("\n\n")[0]
    assert "- gold evidence in scrutiny_pack.txt at " in block
    assert "- cited instead:\n  1. scrutiny_pack.txt:" in block
    assert "- answer given:" in block
    assert "#### t02 (followup)" in dense and "- follows: what was NI 59 in Q3?" in dense


def test_gate_fails_on_a_worse_configuration(index: Path, question_file: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    written = invoke("gate", "--questions", question_file, "--index", index, "--baseline", baseline,
                     "--update-baseline")
    assert written.exit_code == 0, written.output
    assert json.loads(baseline.read_text(encoding="utf-8"))["groups"]["table"]["recall@5"] == 1.0

    same = invoke("gate", "--questions", question_file, "--index", index, "--baseline", baseline)
    assert same.exit_code == 0, same.output
    assert "gate passed" in same.output and "FAIL" not in same.output

    dense = invoke("gate", "--questions", question_file, "--index", index, "--baseline", baseline,
                   "--config", "dense")
    assert dense.exit_code == 1, dense.output
    assert "| table | R@5 | 1.000 | 0.500 | -50.0 pts | **FAIL** |" in dense.output
    assert "gating configuration 'dense' against a baseline of 'hybrid'" in dense.output

    crippled = tmp_path / "never-answers.toml"
    crippled.write_text('[settings]\nanswerer = "rules"\nabstain_below = 1.01\n', encoding="utf-8")
    silent = invoke("gate", "--questions", question_file, "--index", index, "--baseline", baseline,
                    "--config", crippled)
    assert silent.exit_code == 1, silent.output
    assert "| table | answer acc | 1.000 | 0.000 | -100.0 pts | **FAIL** |" in silent.output
    assert "| table | R@5 | 1.000 | 1.000 | +0.0 pts | ok |" in silent.output


def test_errors_exit_without_a_traceback(index: Path, question_file: Path, tmp_path: Path) -> None:
    no_index = invoke("run", "--questions", question_file, "--index", tmp_path / "empty")
    assert no_index.exit_code == 1 and "no index in" in no_index.output
    bad_config = invoke("run", "--questions", question_file, "--index", index, "--configs", tmp_path / "x.toml")
    assert bad_config.exit_code == 2 and "x.toml: cannot read" in bad_config.output
    no_baseline = invoke("gate", "--questions", question_file, "--index", index, "--baseline", tmp_path / "b.json")
    assert no_baseline.exit_code == 2 and "no baseline at" in no_baseline.output
