"""Configurations side by side: per question type, the difference to the first configuration and
a paired significance test over the same questions (ranx's tests, as `ranx.compare` runs them)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from eval.metrics import QuestionResult
from eval.run import ConfigRun
from eval.summary import ALL, ANSWERABLE, MUST_BE_EMPTY, groups_of
from eval.tables import header, label, row

ACCURACY = "accuracy"
COMPARED = {"recall@1": "R@1", "recall@5": "R@5", "mrr": "MRR", "ndcg@10": "nDCG@10", ACCURACY: "answer acc"}
STAT_TESTS = ("student", "fisher")  # ranx: two-sided paired t-test, Fisher's randomisation test
MAX_P = 0.05
FISHER_PERMUTATIONS = 1000
SEED = 42


@dataclass(frozen=True)
class Difference:
    """One metric of one question group under two configurations, with the paired test's p-value."""

    group: str
    metric: str
    control: float | None
    treatment: float | None
    n: int
    p_value: float | None

    @property
    def points(self) -> float | None:
        """treatment − control, in percentage points."""
        if self.control is None or self.treatment is None:
            return None
        return (self.treatment - self.control) * 100

    def significant(self, max_p: float = MAX_P) -> bool:
        return self.p_value is not None and self.p_value < max_p and bool(self.points)


def scores(results: Sequence[QuestionResult], metric: str) -> np.ndarray:
    """Per-question values in question order: 1/0 correctness over all questions, or a ranking
    metric over the answerable ones."""
    if metric == ACCURACY:
        return np.array([float(r.correct) for r in results], dtype=np.float64)
    return np.array([r.ranking[metric] for r in results if r.gold_answerable], dtype=np.float64)


def paired_p(control: np.ndarray, treatment: np.ndarray, test: str = "student") -> float | None:
    """Two-sided p-value that the two configurations score alike on these questions (None below
    two questions). Identical scores give 1; a constant non-zero difference gives 0."""
    if len(control) < 2:
        return None
    diff = treatment - control
    if np.all(diff == diff[0]):
        return 1.0 if diff[0] == 0 else 0.0
    from ranx.statistical_tests import fisher_randomization_test, paired_student_t_test

    if test == "fisher":
        p, _ = fisher_randomization_test(control, treatment, FISHER_PERMUTATIONS, MAX_P, SEED)
    elif test == "student":
        p, _ = paired_student_t_test(control, treatment, MAX_P)
    else:
        raise ValueError(f"unknown test {test!r}; choose from {', '.join(STAT_TESTS)}")
    return float(p) if math.isfinite(p) else None


def compare_runs(control: ConfigRun, treatment: ConfigRun, test: str = "student") -> list[Difference]:
    """Every compared metric of every group; both runs must hold the same questions in the same order."""
    if [r.id for r in control.results] != [r.id for r in treatment.results]:
        raise ValueError("runs hold different questions; compare runs of one evaluation")
    paired = zip(groups_of(control.results), groups_of(treatment.results), strict=True)
    return [
        _difference(group, metric, scores(ours, metric), scores(theirs, metric), test)
        for (group, ours), (_, theirs) in paired for metric in COMPARED
    ]


def _difference(group: str, metric: str, control: np.ndarray, treatment: np.ndarray, test: str) -> Difference:
    if not len(control):
        return Difference(group, metric, None, None, 0, None)
    return Difference(group, metric, float(control.mean()), float(treatment.mean()), len(control),
                      paired_p(control, treatment, test))


# -- formatting ------------------------------------------------------------------------------


def _p(value: float | None) -> str:
    if value is None:
        return "–"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _p_clause(value: float | None) -> str:
    """`p = 0.004`, `p < 0.001`."""
    text = _p(value)
    return f"p < {text[1:]}" if text.startswith("<") else f"p = {text}"


def _delta(d: Difference, max_p: float) -> str:
    if d.points is None:
        return "–"
    mark = " *" if d.significant(max_p) else ""
    return f"{d.points:+.1f}{mark}"


def _value(v: float | None) -> str:
    return "–" if v is None else f"{v:.2f}"


def metric_table(
    metric: str, runs: Sequence[ConfigRun], diffs: Sequence[Sequence[Difference]], max_p: float,
) -> str:
    """One metric, each configuration's column next to the first's, with Δ (points) and p."""
    names = [r.config.name for r in runs]
    columns = ["type", "n", names[0], *(c for name in names[1:] for c in (name, "Δ", "p"))]
    lines = [f"#### {COMPARED[metric]}", "", *header(columns)]
    for per_group in zip(*(_shown(d, metric) for d in diffs), strict=True):
        first = per_group[0]
        cells = [label(first.group), str(first.n), _value(first.control)]
        for d in per_group:
            cells += [_value(d.treatment), _delta(d, max_p), _p(d.p_value)]
        lines.append(row(cells))
    return "\n".join(lines)


def _shown(diffs: Sequence[Difference], metric: str) -> list[Difference]:
    """A metric's rows with questions; ranking metrics skip the subtotals (answerable is ALL,
    must-be-empty has none)."""
    skip = () if metric == ACCURACY else (ANSWERABLE, MUST_BE_EMPTY)
    return [d for d in diffs if d.metric == metric and d.group not in skip and d.n]


def findings(control: str, treatment: str, diffs: Sequence[Difference], max_p: float) -> list[str]:
    """Plain sentences for the significant differences, one per group and winner:
    "hybrid beats bm25 on table in R@1 by 12.0 points (p = 0.004), ..."."""
    wins: dict[tuple[str, str, str], list[str]] = {}
    for d in diffs:
        if d.group == ANSWERABLE or not d.significant(max_p) or d.points is None:
            continue
        winner, loser = (treatment, control) if d.points > 0 else (control, treatment)
        wins.setdefault((d.group, winner, loser), []).append(
            f"{COMPARED[d.metric]} by {abs(d.points):.1f} points ({_p_clause(d.p_value)})")
    return [
        f"- {winner} beats {loser} {'overall' if group == ALL else 'on ' + group} in {', '.join(parts)}"
        for (group, winner, loser), parts in wins.items()
    ]


def format_comparison(runs: Sequence[ConfigRun], test: str = "student", max_p: float = MAX_P) -> str:
    """Tables per metric for every configuration against the first, then the significant findings."""
    control, others = runs[0], runs[1:]
    diffs = [compare_runs(control, other, test) for other in others]
    test_name = "paired t-test" if test == "student" else "Fisher's randomisation test"
    lines = [
        f"### {', '.join(r.config.name for r in others)} against {control.config.name}", "",
        f"Δ is the difference to {control.config.name} in percentage points; p is ranx's two-sided "
        f"{test_name} over the same questions; * marks p < {max_p}. Ranking metrics cover answerable "
        "questions, answer accuracy all of them.",
    ]
    lines += ["", *(metric_table(m, runs, diffs, max_p) + "\n" for m in COMPARED)]
    found = [line for other, d in zip(others, diffs, strict=True)
             for line in findings(control.config.name, other.config.name, d, max_p)]
    lines += [f"#### significant at p < {max_p}", "", *(found or ["- none"])]
    return "\n".join(lines)
