"""The questions a configuration missed, laid out for a person: gold evidence, what was cited
instead, and the answer given."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from eval.metrics import QuestionResult, Span
from eval.questions import Question, ancestors
from eval.run import ConfigRun, Evaluation
from qa.answer import Answer, Citation

SHOWN_CITATIONS = 3


def flat(text: str, n: int) -> str:
    """Clipped to n characters, with tabs and newlines made visible on one line."""
    clipped = text[:n] + ("…" if len(text) > n else "")
    return clipped.replace("\t", "⇥").replace("\n", "⏎")


def is_failure(result: QuestionResult) -> bool:
    """Answerable questions whose evidence is not cited first, and any wrong answer."""
    return (result.gold_answerable and result.first_hit_rank != 1) or not result.correct


def verdict(result: QuestionResult) -> str:
    if not result.gold_answerable:
        retrieval = "must be empty"
    elif result.first_hit_rank is None:
        retrieval = "evidence never cited"
    else:
        retrieval = f"evidence first cited at rank {result.first_hit_rank}"
    return f"{retrieval}; answer {'right' if result.correct else 'wrong'}"


def citation_line(rank: int, citation: Citation, hit: bool) -> str:
    where = " · ".join(x for x in (citation.committee, citation.meeting_date, citation.kind) if x)
    page = f" p.{citation.page}" if citation.page is not None else ""
    mark = "✓ " if hit else ""
    return (f"  {rank}. {mark}{citation.source}:{citation.start}-{citation.end}{page} · {where}"
            f" — {flat(citation.text, 110)}")


def evidence_lines(question: Question, spans: Sequence[Span]) -> list[str]:
    where = ", ".join(f"{s}-{e}" for s, e in spans[:4]) + (" …" if len(spans) > 4 else "")
    lines = [f"- gold evidence in {question.source} at {where or 'no place found'}:"]
    return lines + [f"  - {flat(e, 160)}" for e in question.evidence[:3]]


def format_failure(
    question: Question, result: QuestionResult, answer: Answer, spans: Sequence[Span],
    by_id: Mapping[str, Question],
) -> str:
    earlier = ancestors(question, by_id)
    cited = answer.citations[:SHOWN_CITATIONS]
    lines = [
        f"#### {question.id} ({question.type}) – {verdict(result)}",
        f"- question: {question.question}",
        *(f"- follows: {q.question}" for q in earlier),
        f"- gold answers: {' | '.join(question.answers) or '(none: the papers do not hold it)'}",
        *(evidence_lines(question, spans) if question.evidence else []),
        "- cited instead:" if result.gold_answerable and result.first_hit_rank != 1 else "- cited:",
        *(citation_line(rank, c, hit) for rank, (c, hit) in enumerate(zip(cited, result.hits, strict=False), 1)),
    ]
    if result.first_hit_rank is not None and result.first_hit_rank > SHOWN_CITATIONS:
        rank = result.first_hit_rank
        lines.append(f"  … first hit: {citation_line(rank, answer.citations[rank - 1], True).strip()}")
    if not cited:
        lines.append("  (nothing)")
    state = "answerable" if answer.answerable else "declined"
    lines.append(f"- answer given: {answer.answer!r} ({state}, confidence {answer.confidence:.2f})")
    return "\n".join(lines)


def format_failures(evaluation: Evaluation, run: ConfigRun) -> str:
    """Every failure of one configuration, in question order, under a line that counts them."""
    by_id = {q.id: q for q in evaluation.questions}
    failed = [r for r in run.results if is_failure(r)]
    missed = sum(1 for r in failed if r.gold_answerable and r.first_hit_rank != 1)
    wrong = sum(1 for r in failed if not r.correct)
    blocks = [
        format_failure(by_id[r.id], r, run.answers[r.id], evaluation.spans.get(r.id, ()), by_id)
        for r in failed
    ]
    head = (f"### failures ({run.config.name}): {len(failed)} questions – "
            f"{missed} with the evidence not cited first, {wrong} answered wrongly")
    return "\n\n".join([head, *blocks])
