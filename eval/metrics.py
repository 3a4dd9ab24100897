"""Scoring rules for question sets, as pure functions: span hits, recall/MRR, answers, summaries.

The rules are those of ../shared/dev/README.md (restated in eval/README.md).
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from eval.questions import Question
from qa.answer import Answer, Citation

Span = tuple[int, int]

RECALL_KS = (1, 5, 10)
CURVE_KS = tuple(range(1, 11))  # the Recall@k chart
NDCG = "ndcg@10"
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


def ranking_metrics(ks: Sequence[int] = RECALL_KS) -> list[str]:
    """ranx names of the per-question ranking metrics: recall at each k, MRR, nDCG@10."""
    return [*(f"recall@{k}" for k in ks), "mrr", NDCG]


def ranking_scores(flag_lists: Mapping[str, Sequence[bool]], metrics: Sequence[str]) -> dict[str, dict[str, float]]:
    """Each question's ranking metrics (question id -> metric -> value), computed by ranx.

    Each question has a single relevant "doc", its evidence, ranked where its first hit is, so
    recall@k is 1 when that hit is within the top k, the reciprocal rank is 1/rank and nDCG@10 is
    1/log2(rank + 1). A question without citations scores 0 everywhere.
    """
    if not flag_lists or not metrics:
        return {qid: {} for qid in flag_lists}
    from ranx import Qrels, Run, evaluate  # imported here: numba makes the import slow

    ranked = {qid: ranx_run(flags) for qid, flags in flag_lists.items() if flags}
    if not ranked:  # ranx rejects a run without any ranking
        return {qid: dict.fromkeys(metrics, 0.0) for qid in flag_lists}
    run = Run(ranked)
    qrels = Qrels({qid: {EVIDENCE: 1} for qid in flag_lists})
    with warnings.catch_warnings():  # numba's type-safety notes while it compiles ranx
        warnings.simplefilter("ignore")
        evaluate(qrels, run, list(metrics), make_comparable=True)
    # ranx computes in float32; six places drop the noise (0.8333333180 -> 0.833333).
    return {qid: {m: round(float(run.scores[m][qid]), 6) for m in metrics} for qid in flag_lists}


def mean_scores(per_question: Iterable[Mapping[str, float]], metrics: Sequence[str]) -> dict[str, float]:
    """The mean of each metric over questions, as ranx averages them; {} for no questions."""
    rows = list(per_question)
    if not rows:
        return {}
    return {m: round(sum(r[m] for r in rows) / len(rows), 6) for m in metrics}


def retrieval_scores(flag_lists: Sequence[Sequence[bool]], ks: Sequence[int] = RECALL_KS) -> dict[str, float]:
    """Recall@k for each k, MRR and nDCG@10 over questions, computed by ranx; {} for no questions."""
    metrics = ranking_metrics(ks)
    scores = ranking_scores({f"q{i}": flags for i, flags in enumerate(flag_lists)}, metrics)
    return mean_scores(scores.values(), metrics)


# -- answers ---------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """NFKC, lower case, runs of whitespace folded to one space, ends stripped."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def answer_correct(answers: Sequence[str], answer: str | None, answerable: bool) -> bool:
    """Unanswerable questions want an abstention; others want a gold answer inside the answer,
    as a whole phrase (its first and last words, or figures, not parts of longer ones)."""
    if not answers:
        return answerable is False
    if answerable is False or answer is None:
        return False
    given = normalise(answer)
    return any(_whole(normalise(gold)).search(given) for gold in answers if gold.strip())


def _whole(gold: str) -> re.Pattern[str]:
    """`gold` as a whole phrase: not the "9" inside "2019" or "9.5", nor the "no" of "not"."""
    left = (r"(?<!\w)" if gold[0].isalnum() else "") + (r"(?<!\d[.,])" if gold[0].isdigit() else "")
    right = (r"(?!\w)" if gold[-1].isalnum() else "") + (r"(?![.,]\d)" if gold[-1].isdigit() else "")
    return re.compile(left + re.escape(gold) + right)


def citation_violations(citations: Iterable[Citation], texts: Mapping[str, str]) -> int:
    """Citations whose text is not exactly document_text[start:end] (unknown sources count too)."""
    return sum(
        1 for c in citations
        if c.source not in texts or texts[c.source][c.start:c.end] != c.text
    )


# -- per question ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionResult:
    """How one question fared under one configuration (`mode` is its retrieval mode).

    `ranking` holds the per-question ranking metrics (see ranking_scores) once they are added;
    `cpu_ms` the CPU time of answering and `probe_ms` that of the probe beside it (eval/latency.py)."""

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
    config: str = ""
    followup: bool = False
    confidence: float = 0.0
    cpu_ms: float | None = None
    probe_ms: float | None = None
    ranking: Mapping[str, float] = field(default_factory=dict)

    @property
    def abstained(self) -> bool:
        return not self.answerable

    @property
    def must_be_empty(self) -> bool:
        return not self.gold_answerable

    @property
    def cpu_ratio(self) -> float | None:
        """CPU time of answering in units of the probe's; None without a probe."""
        return self.cpu_ms / self.probe_ms if self.cpu_ms is not None and self.probe_ms else None

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id, "type": self.type, "config": self.config or self.mode, "mode": self.mode,
            "gold_answerable": self.gold_answerable, "must_be_empty": self.must_be_empty,
            "followup": self.followup, "first_hit_rank": self.first_hit_rank,
            **{m: v for m, v in self.ranking.items() if m in ranking_metrics(RECALL_KS)},
            "answer": self.answer, "answerable": self.answerable, "confidence": self.confidence,
            "correct": self.correct, "took_ms": round(self.took_ms, 1),
            "cpu_ms": _rounded(self.cpu_ms), "probe_ms": _rounded(self.probe_ms),
            "violations": self.violations,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def score_question(
    question: Question, answer: Answer, spans: Sequence[Span], texts: Mapping[str, str], mode: str,
    config: str | None = None, cpu_ms: float | None = None, probe_ms: float | None = None,
) -> QuestionResult:
    """Score one answer against its question's evidence spans and gold answers."""
    flags = hit_flags(answer.citations, question.source, spans)
    return QuestionResult(
        id=question.id, type=question.type, mode=mode, gold_answerable=question.answerable,
        hits=flags, first_hit_rank=first_hit_rank(flags), answer=answer.answer,
        answerable=answer.answerable,
        correct=answer_correct(question.answers, answer.answer, answer.answerable),
        took_ms=answer.took_ms, violations=citation_violations(answer.citations, texts),
        config=config or mode, followup=question.is_followup, confidence=answer.confidence,
        cpu_ms=cpu_ms, probe_ms=probe_ms,
    )


def with_rankings(results: Sequence[QuestionResult], ks: Sequence[int] = CURVE_KS) -> list[QuestionResult]:
    """The results of one configuration with their ranking metrics filled in (answerable ones only:
    a must-be-empty question has no evidence to rank)."""
    flags = {r.id: r.hits for r in results if r.gold_answerable}
    scores = ranking_scores(flags, ranking_metrics(ks))
    return [replace(r, ranking=scores[r.id]) if r.id in scores else r for r in results]
