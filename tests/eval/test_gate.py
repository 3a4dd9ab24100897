"""The regression gate's rules (eval/gate.py) on hand-made runs."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from eval.gate import (
    LATENCY,
    BaselineError,
    baseline_of,
    check,
    fingerprint,
    format_checks,
    load_baseline,
    notes,
    save_baseline,
)
from eval.questions import parse_question
from eval.run import ConfigRun
from tests.eval.helpers import config_run, result

QUESTIONS = [parse_question({"id": f"q{i}", "question": "?", "answers": ["x"], "source": "a.txt",
                             "evidence": ["x"], "type": "table"}) for i in range(3)]


def run_of(ranks: list[int | None], correct: list[bool], cpu_ms: float = 20.0, name: str = "hybrid") -> ConfigRun:
    types = ["table", "table", "people"]
    return config_run(name, [
        result(f"q{i}", t, rank=r, correct=c, cpu_ms=cpu_ms, probe_ms=10.0)
        for i, (t, r, c) in enumerate(zip(types, ranks, correct, strict=True))
    ])


@pytest.fixture()
def baseline() -> dict[str, Any]:
    return baseline_of(run_of([1, 2, 1], [True, True, False]), QUESTIONS, [Path("dev/a.jsonl")], 10)


def failed(checks: list) -> list[tuple[str, str]]:
    return [(c.group, c.metric) for c in checks if not c.passed]


def test_baseline_records_gated_figures(baseline: dict[str, Any]) -> None:
    assert baseline["groups"]["table"] == {"n": 2, "n_answerable": 2, "recall@5": 1.0, "accuracy": 1.0}
    assert baseline["groups"]["people"]["accuracy"] == 0.0
    assert baseline["latency"]["cpu_ratio_p50"] == 2.0
    assert baseline["questions"] == {"files": ["a.jsonl"], "count": 3, "fingerprint": fingerprint(QUESTIONS)}
    assert baseline["config"] == {"name": "hybrid", "mode": "hybrid", "settings": {}}


def test_the_same_run_passes(baseline: dict[str, Any]) -> None:
    checks = check(baseline, run_of([1, 2, 1], [True, True, False]))
    assert failed(checks) == []
    assert {c.metric for c in checks} == {"R@5", "answer acc", LATENCY}
    assert "gate passed" in format_checks(checks)


def test_a_lost_hit_or_answer_fails_its_group(baseline: dict[str, Any]) -> None:
    worse = run_of([1, 9, 1], [True, False, False])
    assert failed(check(baseline, worse)) == [
        ("table", "R@5"), ("table", "answer acc"), ("answerable", "R@5"), ("answerable", "answer acc"),
        ("ALL", "R@5"), ("ALL", "answer acc"),
    ]
    text = format_checks(check(baseline, worse))
    assert "gate FAILED on 6 figure(s)" in text and "| table | R@5 | 1.000 | 0.500 | -50.0 pts | **FAIL** |" in text


def test_two_points_is_the_limit(baseline: dict[str, Any]) -> None:
    current = run_of([1, 2, 1], [True, True, False])
    edge = copy.deepcopy(baseline)
    edge["groups"]["table"]["accuracy"] = 1.02          # a drop of exactly 2 points passes
    assert failed(check(edge, current)) == []
    edge["groups"]["table"]["accuracy"] = 1.0201        # a little more fails
    assert failed(check(edge, current)) == [("table", "answer acc")]


def test_latency_may_rise_half_again(baseline: dict[str, Any]) -> None:
    assert failed(check(baseline, run_of([1, 2, 1], [True, True, False], cpu_ms=30.0))) == []
    assert failed(check(baseline, run_of([1, 2, 1], [True, True, False], cpu_ms=30.2))) == [("ALL", LATENCY)]
    # a faster run never fails
    assert failed(check(baseline, run_of([1, 2, 1], [True, True, False], cpu_ms=1.0))) == []


def test_a_group_gone_from_the_run_fails(baseline: dict[str, Any]) -> None:
    only_tables = config_run("hybrid", [result("q0", "table", probe_ms=10.0, cpu_ms=20.0)])
    assert ("people", "answer acc") in failed(check(baseline, only_tables))


def test_notes_on_what_is_not_like_for_like(baseline: dict[str, Any]) -> None:
    current = config_run("dense", [result("q0", "budget")])
    said = notes(baseline, current, QUESTIONS[:2])
    assert said[0].startswith("the question set differs")
    assert said[1] == "gating configuration 'dense' against a baseline of 'hybrid'"
    assert said[2].startswith("no baseline yet for budget")
    assert notes(baseline, run_of([1, 2, 1], [True, True, False]), QUESTIONS) == []


def test_save_and_load(tmp_path: Path, baseline: dict[str, Any]) -> None:
    path = tmp_path / "baseline.json"
    save_baseline(baseline, path)
    assert load_baseline(path) == json.loads(json.dumps(baseline))
    with pytest.raises(BaselineError, match="no baseline at"):
        load_baseline(tmp_path / "none.json")
    path.write_text("[1]", encoding="utf-8")
    with pytest.raises(BaselineError, match="not a baseline"):
        load_baseline(path)
