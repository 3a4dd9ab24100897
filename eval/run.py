"""Runs a question set through the assistant in each retrieval mode and tabulates the scores."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from corpus.errors import ClerkError
from eval.metrics import (
    RECALL_KS, GroupScores, ModeSummary, QuestionResult, Span, evidence_spans, score_question, summarise,
)
from eval.questions import Question, history
from qa.answer import Answer, Turn
from qa.settings import Settings

MODES = ("hybrid", "bm25", "dense")
MIN_K = max(RECALL_KS)
MAX_K = 50  # the assistant refuses more


class AskingAssistant(Protocol):
    """The part of qa.assistant.Assistant the evaluator uses."""

    def ask(self, question: str, *, history: Sequence[Turn], k: int, mode: str) -> Answer: ...

    def document_text(self, source: str) -> str: ...


def open_assistant(settings: Settings) -> AskingAssistant:
    """Load the index and models once; raises corpus.errors.IndexMissing when there is no index."""
    from qa.assistant import Assistant  # imported here: it loads torch, which `check` never needs

    assistant: AskingAssistant = Assistant.open(settings)
    return assistant


class DocumentTexts:
    """Document text by source name: from the index, else the .txt/.md file in the papers folder."""

    def __init__(self, lookup: Callable[[str], str] | None, papers_dir: Path | None) -> None:
        self._lookup = lookup
        self._papers_dir = papers_dir
        self._cache: dict[str, str | None] = {}

    def __call__(self, source: str) -> str | None:
        if source not in self._cache:
            self._cache[source] = self._indexed(source) or self._on_disk(source)
        return self._cache[source]

    def of(self, sources: Sequence[str]) -> dict[str, str]:
        """The texts of those sources that can be found."""
        found = {s: self(s) for s in set(sources)}
        return {s: t for s, t in found.items() if t is not None}

    def _indexed(self, source: str) -> str | None:
        if self._lookup is None:
            return None
        try:
            return self._lookup(source)
        except ClerkError:
            return None

    def _on_disk(self, source: str) -> str | None:
        path = self._papers_dir / source if self._papers_dir else None
        if path is None or path.suffix.lower() not in {".txt", ".md"} or not path.is_file():
            return None
        return path.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Evaluation:
    """Everything one `eval run` measured."""

    k: int
    summaries: tuple[ModeSummary, ...]
    results: tuple[QuestionResult, ...]
    answers: Mapping[tuple[str, str], Answer]
    seconds: float


def spans_of(questions: Sequence[Question], texts: DocumentTexts) -> dict[str, tuple[Span, ...]]:
    """Each question's evidence spans: every occurrence of every evidence string in its source."""
    return {
        q.id: evidence_spans(texts(q.source) or "", q.evidence) if q.source else ()
        for q in questions
    }


def run_mode(
    assistant: AskingAssistant, questions: Sequence[Question], mode: str, k: int,
    texts: DocumentTexts, spans: Mapping[str, tuple[Span, ...]],
) -> list[tuple[QuestionResult, Answer]]:
    """Ask every question in one retrieval mode and score each answer."""
    by_id = {q.id: q for q in questions}
    scored = []
    for q in questions:
        answer = assistant.ask(q.question, history=history(q, by_id), k=k, mode=mode)
        cited = texts.of([c.source for c in answer.citations])
        scored.append((score_question(q, answer, spans[q.id], cited, mode), answer))
    return scored


def warm_up(assistant: AskingAssistant, questions: Sequence[Question], mode: str, k: int) -> None:
    """One unscored question first, so lazy model loading does not count as a question's latency."""
    if questions:
        assistant.ask(questions[0].question, history=[], k=k, mode=mode)


def evaluate(
    assistant: AskingAssistant, questions: Sequence[Question], modes: Sequence[str], k: int,
    texts: DocumentTexts,
) -> Evaluation:
    """Run every mode over the question set; k is raised to at least 10 so R@10 is measurable."""
    k = max(MIN_K, k)
    began = time.perf_counter()
    spans = spans_of(questions, texts)
    summaries: list[ModeSummary] = []
    results: list[QuestionResult] = []
    answers: dict[tuple[str, str], Answer] = {}
    for mode in modes:
        warm_up(assistant, questions, mode, k)
        scored = run_mode(assistant, questions, mode, k, texts, spans)
        summaries.append(summarise(mode, [r for r, _ in scored]))
        results.extend(r for r, _ in scored)
        answers.update({(mode, r.id): a for r, a in scored})
    return Evaluation(k, tuple(summaries), tuple(results), answers, time.perf_counter() - began)


def parse_modes(text: str) -> list[str]:
    """Comma-separated retrieval modes, in the order given."""
    modes = [m.strip() for m in text.split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise ValueError(f"unknown mode(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(MODES)}")
    return list(dict.fromkeys(modes))


# -- tables ----------------------------------------------------------------------------------


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _row(g: GroupScores, ks: Sequence[int]) -> str:
    label = f"**{g.label}**" if g.label == "ALL" else g.label
    cells = [label, str(g.n)]
    cells += [_num(g.retrieval.get(f"recall@{k}")) for k in ks]
    cells += [_num(g.retrieval.get("mrr")), _num(g.accuracy)]
    return "| " + " | ".join(cells) + " |"


def format_summary(summary: ModeSummary, ks: Sequence[int] = RECALL_KS) -> str:
    """A markdown table of one mode, rows per question type, then the mode-wide numbers."""
    head = ["type", "n", *(f"R@{k}" for k in ks), "MRR", "answer acc"]
    lines = [
        f"### {summary.mode}", "",
        "| " + " | ".join(head) + " |",
        "| --- |" + " ---: |" * (len(head) - 1),
        *(_row(g, ks) for g in summary.groups),
        "",
        f"abstention {_num(summary.abstention)} · false abstention {_num(summary.false_abstention)}"
        f" · p50 latency {_num(summary.p50_ms, 1)} ms · citation violations {summary.violations}",
    ]
    return "\n".join(lines)


def format_evaluation(evaluation: Evaluation, n_questions: int) -> str:
    """All mode tables, with a line saying what was run."""
    modes = ", ".join(s.mode for s in evaluation.summaries)
    head = f"{n_questions} questions · k={evaluation.k} · modes {modes} · {evaluation.seconds:.1f} s"
    return "\n\n".join([head, *(format_summary(s) for s in evaluation.summaries)])


# -- failures --------------------------------------------------------------------------------


def _flat(text: str, n: int) -> str:
    """Clipped to n characters, with tabs and newlines made visible on one line."""
    clipped = text[:n] + ("…" if len(text) > n else "")
    return clipped.replace("\t", "⇥").replace("\n", "⏎")


def is_failure(result: QuestionResult) -> bool:
    """Answerable questions missed at rank 1, and any wrong answer."""
    return (result.gold_answerable and result.first_hit_rank != 1) or not result.correct


def format_failure(question: Question, result: QuestionResult, answer: Answer) -> str:
    lines = [
        f"#### {question.id} ({question.type}) – first hit {result.first_hit_rank or 'none'}, "
        f"answer {'right' if result.correct else 'wrong'}",
        f"- question: {question.question}",
        f"- gold answers: {' | '.join(question.answers) or '(unanswerable)'}",
        *(f"- gold evidence: {_flat(e, 150)}" for e in question.evidence[:3]),
        *(f"- cited {rank}: {c.source} {c.start}-{c.end} {_flat(c.text, 120)}"
          for rank, c in enumerate(answer.citations[:3], 1)),
        f"- answer given: {answer.answer!r} (answerable={answer.answerable})",
    ]
    return "\n".join(lines)


def format_failures(evaluation: Evaluation, questions: Sequence[Question], mode: str) -> str:
    """Every failure of one mode, in question order."""
    by_id = {q.id: q for q in questions}
    failed = [r for r in evaluation.results if r.mode == mode and is_failure(r)]
    blocks = [format_failure(by_id[r.id], r, evaluation.answers[(mode, r.id)]) for r in failed]
    return "\n\n".join([f"### failures ({mode}): {len(failed)}", *blocks])


# -- JSON ------------------------------------------------------------------------------------


def _group_json(g: GroupScores) -> dict[str, Any]:
    return {"n": g.n, "n_answerable": g.n_answerable, **g.retrieval, "accuracy": g.accuracy}


def summary_json(summary: ModeSummary) -> dict[str, Any]:
    return {
        "groups": {g.label: _group_json(g) for g in summary.groups},
        "abstention": summary.abstention, "false_abstention": summary.false_abstention,
        "p50_ms": summary.p50_ms, "citation_violations": summary.violations,
    }


def evaluation_json(evaluation: Evaluation, files: Sequence[Path], warnings: Sequence[str]) -> dict[str, Any]:
    """All numbers and per-question rows, for `--json OUT`."""
    return {
        "questions": [str(f) for f in files], "k": evaluation.k,
        "seconds": round(evaluation.seconds, 2), "warnings": list(warnings),
        "modes": {s.mode: summary_json(s) for s in evaluation.summaries},
        "results": [r.to_json() for r in evaluation.results],
    }
