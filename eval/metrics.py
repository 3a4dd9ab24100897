"""Scoring rules for question sets, as pure functions: span hits, recall/MRR, answers, summaries.

The rules are those of ../shared/dev/README.md (restated in eval/README.md).
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from eval.questions import QUESTION_TYPES, Question
from qa.answer import Answer, Citation

Span = tuple[int, int]

RECALL_KS = (1, 5, 10)
EVIDENCE = "evidence"
_SPACE = re.compile(r"\s+")


# -- retrieval ------------------------------------------------------------------------------


def find_all(text: str, needle: str) -> tuple[Span, ...]:
    """Every occurrence of `needle` in `text` as a [start, end) span, overlapping ones included."""
    spans: list[Span] = []
    start = text.find(needle) if needle else -1
    while start >= 0:
        spans.append((start, start + len(needle)))
        start = text.find(needle, start + 1)
    return tuple(spans)


def evidence_spans(text: str, evidence: Iterable[str]) -> tuple[Span, ...]:
    """The spans of every occurrence of every evidence string, sorted, without repeats."""
    return tuple(sorted({span for e in evidence for span in find_all(text, e)}))


def overlaps(a: Span, b: Span) -> bool:
    """Whether two half-open spans share a character ([0, 5) and [5, 9) do not)."""
    return max(a[0], b[0]) < min(a[1], b[1])


def hits(citation: Citation, source: str | None, spans: Sequence[Span]) -> bool:
    """A citation hits when it names the evidence's source and overlaps one of its spans."""
    cited = (citation.start, citation.end)
    return citation.source == source and any(overlaps(cited, span) for span in spans)


def hit_flags(citations: Sequence[Citation], source: str | None, spans: Sequence[Span]) -> tuple[bool, ...]:
    """For each citation, best first, whether it hits."""
    return tuple(hits(c, source, spans) for c in citations)


def first_hit_rank(flags: Sequence[bool]) -> int | None:
    """The 1-based rank of the first hitting citation, or None when none hits."""
    return next((rank for rank, hit in enumerate(flags, 1) if hit), None)


def ranx_run(flags: Sequence[bool]) -> dict[str, float]:
    """One question's ranked citations as a ranx run: the first hit is the one relevant doc."""
    first = first_hit_rank(flags)
    n = len(flags)
    return {EVIDENCE if rank == first else f"c{rank}": float(n - rank + 1) for rank in range(1, n + 1)}


def retrieval_scores(flag_lists: Sequence[Sequence[bool]], ks: Sequence[int] = RECALL_KS) -> dict[str, float]:
    """Recall@k for each k and MRR over questions, computed by ranx; {} for no questions.

    Each question has a single relevant "doc" (its evidence), so recall@k is 1 when the first
    hit is within the top k, and MRR averages 1/rank of the first hit.
    """
    if not flag_lists:
        return {}
    from ranx import Qrels, Run, evaluate  # imported here: numba makes the import slow

    names = [f"recall@{k}" for k in ks] + ["mrr"]
    qrels = {f"q{i}": {EVIDENCE: 1} for i in range(len(flag_lists))}
    # ranx rejects empty rankings; make_comparable scores the questions left out as misses.
    run = {f"q{i}": ranx_run(flags) for i, flags in enumerate(flag_lists) if flags}
    if not run:
        return dict.fromkeys(names, 0.0)
    scores = evaluate(Qrels(qrels), Run(run), names, make_comparable=True)
    if len(names) == 1:  # ranx returns a bare number for a single metric
        scores = {names[0]: scores}
    # ranx averages in float32; six places drop the noise (0.8333333180 -> 0.833333).
    return {name: round(float(value), 6) for name, value in scores.items()}


# -- answers ---------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """NFKC, lower case, runs of whitespace folded to one space, ends stripped."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def answer_correct(answers: Sequence[str], answer: str | None, answerable: bool) -> bool:
    """Unanswerable questions want an abstention; others want a gold answer inside the answer."""
    if not answers:
        return answerable is False
    if answerable is False or answer is None:
        return False
    given = normalise(answer)
    return any(normalise(gold) in given for gold in answers)


def citation_violations(citations: Iterable[Citation], texts: Mapping[str, str]) -> int:
    """Citations whose text is not exactly document_text[start:end] (unknown sources count too)."""
    return sum(
        1 for c in citations
        if c.source not in texts or texts[c.source][c.start:c.end] != c.text
    )


# -- per question ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionResult:
    """How one question fared in one retrieval mode."""

    id: str
    type: str
    mode: str
    gold_answerable: bool
    hits: tuple[bool, ...]
    first_hit_rank: int | None
    answer: str | None
    answerable: bool
    correct: bool
    took_ms: float
    violations: int

    @property
    def abstained(self) -> bool:
        return not self.answerable

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id, "type": self.type, "mode": self.mode,
            "gold_answerable": self.gold_answerable, "first_hit_rank": self.first_hit_rank,
            "answer": self.answer, "answerable": self.answerable, "correct": self.correct,
            "took_ms": round(self.took_ms, 1), "violations": self.violations,
        }


def score_question(
    question: Question, answer: Answer, spans: Sequence[Span], texts: Mapping[str, str], mode: str,
) -> QuestionResult:
    """Score one answer against its question's evidence spans and gold answers."""
    flags = hit_flags(answer.citations, question.source, spans)
    return QuestionResult(
        id=question.id, type=question.type, mode=mode, gold_answerable=question.answerable,
        hits=flags, first_hit_rank=first_hit_rank(flags), answer=answer.answer,
        answerable=answer.answerable,
        correct=answer_correct(question.answers, answer.answer, answer.answerable),
        took_ms=answer.took_ms, violations=citation_violations(answer.citations, texts),
    )


# -- summaries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupScores:
    """One table row: a question type (or ALL). Retrieval numbers cover its answerable questions."""

    label: str
    n: int
    n_answerable: int
    retrieval: Mapping[str, float]
    accuracy: float | None


@dataclass(frozen=True)
class ModeSummary:
    """The table of one retrieval mode plus its mode-wide numbers."""

    mode: str
    groups: tuple[GroupScores, ...]
    abstention: float | None
    false_abstention: float | None
    p50_ms: float | None
    violations: int


def share(flags: Sequence[bool]) -> float | None:
    """The share of true values, or None for no values."""
    return sum(flags) / len(flags) if flags else None


def group_scores(label: str, results: Sequence[QuestionResult], ks: Sequence[int] = RECALL_KS) -> GroupScores:
    answerable = [r for r in results if r.gold_answerable]
    return GroupScores(
        label=label, n=len(results), n_answerable=len(answerable),
        retrieval=retrieval_scores([r.hits for r in answerable], ks),
        accuracy=share([r.correct for r in results]),
    )


def type_order(types: Iterable[str]) -> list[str]:
    """The known types in README order, then any others alphabetically."""
    extra = sorted(set(types) - set(QUESTION_TYPES))
    return [*QUESTION_TYPES, *extra]


def abstention(results: Sequence[QuestionResult]) -> float | None:
    """Share of unanswerable questions the assistant declined."""
    return share([r.abstained for r in results if not r.gold_answerable])


def false_abstention(results: Sequence[QuestionResult]) -> float | None:
    """Share of answerable questions the assistant declined."""
    return share([r.abstained for r in results if r.gold_answerable])


def summarise(mode: str, results: Sequence[QuestionResult], ks: Sequence[int] = RECALL_KS) -> ModeSummary:
    """Rows per question type plus ALL, and the mode-wide abstention, latency and violations."""
    types = type_order(r.type for r in results)
    rows = [group_scores(t, [r for r in results if r.type == t], ks) for t in types]
    rows.append(group_scores("ALL", results, ks))
    latencies = [r.took_ms for r in results]
    return ModeSummary(
        mode=mode, groups=tuple(rows), abstention=abstention(results),
        false_abstention=false_abstention(results),
        p50_ms=statistics.median(latencies) if latencies else None,
        violations=sum(r.violations for r in results),
    )
