"""Side-by-side comparison with paired tests (eval/compare.py), checked against ranx.compare."""

from __future__ import annotations

import numpy as np
import pytest
from ranx import Qrels, Run, compare

from eval.compare import compare_runs, findings, format_comparison, paired_p
from eval.metrics import ranx_run
from eval.summary import ALL
from tests.eval.helpers import config_run, result

# first-hit ranks of twelve answerable questions under two configurations
CONTROL = [1, 1, 1, 2, 1, 3, 1, None, 1, 1, 2, 1]
TREATMENT = [1, 4, None, 6, 1, None, 2, None, 1, 7, 2, None]


def runs(control: list[int | None], treatment: list[int | None]) -> tuple:
    types = ["table", "narrative"] * (len(control) // 2)
    a = config_run("a", [result(f"q{i}", t, rank=r, correct=r == 1)
                         for i, (t, r) in enumerate(zip(types, control, strict=True))])
    b = config_run("b", [result(f"q{i}", t, rank=r, correct=r == 1, config="b")
                         for i, (t, r) in enumerate(zip(types, treatment, strict=True))])
    return a, b


def as_ranx_run(ranks: list[int | None], name: str) -> Run:
    flags = [tuple(i + 1 == r for i in range(10)) for r in ranks]
    return Run({f"q{i:02d}": ranx_run(f) for i, f in enumerate(flags)}, name=name)


def test_p_values_are_those_of_ranx_compare() -> None:
    a, b = runs(CONTROL, TREATMENT)
    ours = {d.metric: d for d in compare_runs(a, b) if d.group == ALL}
    qrels = Qrels({f"q{i:02d}": {"evidence": 1} for i in range(len(CONTROL))})
    report = compare(qrels, [as_ranx_run(CONTROL, "a"), as_ranx_run(TREATMENT, "b")],
                     ["recall@5", "mrr", "ndcg@10"], stat_test="student", make_comparable=True)
    theirs = report.comparisons[frozenset(["a", "b"])]
    for metric in ("recall@5", "mrr", "ndcg@10"):
        assert ours[metric].p_value == pytest.approx(theirs[metric]["p_value"], rel=1e-4)
        assert ours[metric].control == pytest.approx(report.results["a"][metric], abs=1e-6)
        assert ours[metric].treatment == pytest.approx(report.results["b"][metric], abs=1e-6)


def test_differences_are_points_per_group() -> None:
    a, b = runs(CONTROL, TREATMENT)
    diffs = {(d.group, d.metric): d for d in compare_runs(a, b)}
    r5 = diffs[(ALL, "recall@5")]
    assert r5.n == 12
    assert r5.points == pytest.approx((6 / 12 - 11 / 12) * 100)
    table = diffs[("table", "accuracy")]
    assert table.n == 6 and table.control == pytest.approx(5 / 6) and table.treatment == pytest.approx(3 / 6)
    assert diffs[("must be empty", "recall@5")].n == 0 and diffs[("must be empty", "recall@5")].p_value is None


def test_paired_p_edge_cases() -> None:
    same = np.array([1.0, 0.0, 1.0])
    assert paired_p(same, same) == 1.0
    assert paired_p(same, same - 1) == 0.0          # every question worse by the same amount
    assert paired_p(np.array([1.0]), np.array([0.0])) is None
    with pytest.raises(ValueError, match="unknown test"):
        paired_p(same, np.array([0.0, 0.0, 1.0]), "wilcoxon")


def test_fisher_randomisation_test_agrees_roughly_with_student() -> None:
    control = np.array([1.0] * 20 + [0.0] * 10)
    treatment = np.array([0.0] * 16 + [1.0] * 4 + [0.0] * 10)
    fisher = paired_p(control, treatment, "fisher")
    assert fisher is not None and fisher < 0.01
    student = paired_p(control, treatment, "student")
    assert student is not None and student < 0.01


def test_findings_say_who_beats_whom() -> None:
    a, b = runs([1] * 12, [None] * 12)
    lines = findings("a", "b", compare_runs(a, b), 0.05)
    assert lines[0].startswith("- a beats b on table in R@1 by 100.0 points (p < 0.001)")
    assert any(line.startswith("- a beats b overall in R@1") for line in lines)
    assert not any("answerable" in line for line in lines)  # the subtotal repeats ALL


def test_format_comparison_tables() -> None:
    a, b = runs(CONTROL, TREATMENT)
    text = format_comparison([a, b])
    assert "### b against a" in text
    assert "| type | n | a | b | Δ | p |" in text
    assert "#### R@5" in text and "#### answer acc" in text
    assert "| **ALL** | 12 | 0.92 | 0.50 | -41.7 * |" in text
    assert "- a beats b overall in R@1 by 41.7 points (p = 0.017), R@5 by 41.7 points" in text
    assert "must be empty" not in text  # no such questions here


def test_runs_of_different_questions_are_refused() -> None:
    a, _ = runs(CONTROL, TREATMENT)
    b, _ = runs(CONTROL[:10], TREATMENT[:10])
    with pytest.raises(ValueError, match="different questions"):
        compare_runs(a, b)
