"""Dev Recall@5 for any system that ranks chunks, scored by eval's rules: a ranked extract hits when
it names the evidence's source and overlaps one of the evidence spans in that document."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.metrics import evidence_spans, overlaps
from eval.questions import Question, expand_paths, history, load_questions
from qa.answer import Turn

Extract = tuple[str, int, int]  # source, start, end
# Ranks a question (with its follow-up history) into extracts, best first, and how long it took.
Ranker = Callable[[str, list[Turn]], list[Extract]]
K = 5


@dataclass(frozen=True)
class Scored:
    recall_at_5: float
    answerable: int
    latencies_ms: tuple[float, ...]


class DevSet:
    """The dev questions and, for the answerable ones, their evidence spans."""

    def __init__(self, pattern: str, text_of: Callable[[str], str | None]) -> None:
        self.questions: list[Question] = load_questions(expand_paths([pattern]))
        self.by_id = {q.id: q for q in self.questions}
        self.spans = {q.id: evidence_spans(text_of(q.source) or "", q.evidence) if q.source else ()
                      for q in self.questions}

    def texts(self) -> list[str]:
        return [q.question for q in self.questions]

    def score(self, rank: Ranker) -> Scored:
        """Recall@5 over questions with evidence, and the latency of every question."""
        found = answerable = 0
        latencies = []
        for q in self.questions:
            t0 = time.perf_counter()
            ranked = rank(q.question, history(q, self.by_id))[:K]
            latencies.append((time.perf_counter() - t0) * 1000.0)
            spans = self.spans[q.id]
            if not spans:
                continue
            answerable += 1
            found += any(src == q.source and any(overlaps((a, b), s) for s in spans) for src, a, b in ranked)
        return Scored(found / max(1, answerable), answerable, tuple(latencies))


def glob_of(pattern: str) -> list[Path]:
    return expand_paths([pattern])


def ranked_by(rows: Sequence[int], extract_of: Callable[[int], Extract]) -> list[Extract]:
    return [extract_of(r) for r in rows]
