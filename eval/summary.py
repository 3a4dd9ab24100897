"""Per-type summaries of one configuration's scored questions: the rows of the report tables."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from eval.metrics import RECALL_KS, QuestionResult, mean_scores, ranking_metrics
from eval.questions import QUESTION_TYPES

TABLE_METRICS = ranking_metrics(RECALL_KS)  # recall@1, @5, @10, mrr, ndcg@10
ANSWERABLE = "answerable"
MUST_BE_EMPTY = "must be empty"
ALL = "ALL"


@dataclass(frozen=True)
class GroupScores:
    """One table row: a question type, a subtotal or ALL. Ranking numbers cover its answerable
    questions ({} when it has none); the rest cover all of them (None when undefined)."""

    label: str
    n: int
    n_answerable: int
    retrieval: dict[str, float]
    accuracy: float | None
    abstention_precision: float | None
    abstention_recall: float | None
    followup_accuracy: float | None
    p50_ms: float | None
    p95_ms: float | None


@dataclass(frozen=True)
class Summary:
    """The table of one configuration plus its configuration-wide numbers."""

    config: str
    mode: str
    groups: tuple[GroupScores, ...]
    abstention: float | None
    false_abstention: float | None
    p50_ms: float | None
    p95_ms: float | None
    cpu_ratio_p50: float | None  # median CPU time per question in probes (eval/latency.py)
    violations: int

    def group(self, label: str) -> GroupScores | None:
        return next((g for g in self.groups if g.label == label), None)


def share(flags: Iterable[bool]) -> float | None:
    """The share of true values, or None for no values."""
    values = list(flags)
    return sum(values) / len(values) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (linear interpolation, as numpy's default), or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def abstention_precision(results: Sequence[QuestionResult]) -> float | None:
    """Of the questions the assistant declined, the share that must be empty."""
    return share(r.must_be_empty for r in results if r.abstained)


def abstention_recall(results: Sequence[QuestionResult]) -> float | None:
    """Of the questions that must be empty, the share the assistant declined."""
    return share(r.abstained for r in results if r.must_be_empty)


def false_abstention(results: Sequence[QuestionResult]) -> float | None:
    """Share of answerable questions the assistant declined."""
    return share(r.abstained for r in results if r.gold_answerable)


def group_scores(label: str, results: Sequence[QuestionResult]) -> GroupScores:
    answerable = [r for r in results if r.gold_answerable]
    latencies = [r.took_ms for r in results]
    return GroupScores(
        label=label, n=len(results), n_answerable=len(answerable),
        retrieval=mean_scores((r.ranking for r in answerable), [*TABLE_METRICS]),
        accuracy=share(r.correct for r in results),
        abstention_precision=abstention_precision(results),
        abstention_recall=abstention_recall(results),
        followup_accuracy=share(r.correct for r in results if r.followup),
        p50_ms=percentile(latencies, 50), p95_ms=percentile(latencies, 95),
    )


def type_order(types: Iterable[str]) -> list[str]:
    """The known types present, in README order, then any others alphabetically."""
    present = set(types)
    return [t for t in QUESTION_TYPES if t in present] + sorted(present - set(QUESTION_TYPES))


def groups_of(results: Sequence[QuestionResult]) -> list[tuple[str, list[QuestionResult]]]:
    """The table rows' questions: each type present, the answerable and must-be-empty subtotals, ALL."""
    by_type = [(t, [r for r in results if r.type == t]) for t in type_order(r.type for r in results)]
    return [*by_type, (ANSWERABLE, [r for r in results if r.gold_answerable]),
            (MUST_BE_EMPTY, [r for r in results if r.must_be_empty]), (ALL, list(results))]


def summarise(config: str, results: Sequence[QuestionResult]) -> Summary:
    """Rows per question type present, the answerable and must-be-empty subtotals, then ALL.

    `results` must carry their ranking metrics (eval.metrics.with_rankings)."""
    rows = [group_scores(label, members) for label, members in groups_of(results)]
    ratios = [r.cpu_ratio for r in results if r.cpu_ratio is not None]
    latencies = [r.took_ms for r in results]
    return Summary(
        config=config, mode=results[0].mode if results else config, groups=tuple(rows),
        abstention=abstention_recall(results), false_abstention=false_abstention(results),
        p50_ms=percentile(latencies, 50), p95_ms=percentile(latencies, 95),
        cpu_ratio_p50=statistics.median(ratios) if ratios else None,
        violations=sum(r.violations for r in results),
    )

