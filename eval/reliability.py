"""Is `confidence` a probability? The answered questions binned by the confidence they were given,
each bin's share answered right beside its mean confidence, and the expected calibration error
(the bins' gaps weighted by their size)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eval.metrics import QuestionResult

BINS = 10


@dataclass(frozen=True)
class Bin:
    """The answered questions whose confidence fell in [low, high)."""

    low: float
    high: float
    n: int
    confidence: float  # their mean confidence
    accuracy: float  # the share of them answered right

    @property
    def gap(self) -> float:
        return abs(self.accuracy - self.confidence)


def reliability(results: Sequence[QuestionResult], bins: int = BINS) -> list[Bin]:
    """Equal-width confidence bins over the questions that were answered (a declined question
    offers no answer to be right or wrong); empty bins are left out."""
    members: list[list[QuestionResult]] = [[] for _ in range(bins)]
    for r in results:
        if r.answerable:
            members[min(bins - 1, max(0, int(r.confidence * bins)))].append(r)
    return [Bin(i / bins, (i + 1) / bins, len(m), sum(r.confidence for r in m) / len(m),
                sum(r.correct for r in m) / len(m))
            for i, m in enumerate(members) if m]


def calibration_error(table: Sequence[Bin]) -> float | None:
    """Expected calibration error: the mean |accuracy - confidence| gap, weighted by bin size."""
    n = sum(b.n for b in table)
    return sum(b.n * b.gap for b in table) / n if n else None


def reliability_table(table: Sequence[Bin]) -> str:
    """The bins as a markdown table, with the error beneath."""
    rows = ["| confidence | n | mean confidence | right |", "| --- | ---: | ---: | ---: |"]
    rows += [f"| {b.low:.1f}–{b.high:.1f} | {b.n} | {b.confidence:.2f} | {b.accuracy:.2f} |" for b in table]
    error = calibration_error(table)
    rows.append("")
    rows.append(f"expected calibration error {error:.3f}" if error is not None else "no question was answered")
    return "\n".join(rows)
