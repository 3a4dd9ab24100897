"""Question sets: load JSON-lines files, validate them, and build follow-up histories."""

from __future__ import annotations

import glob
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from qa.answer import Turn

QUESTION_TYPES = (
    "table", "resolution", "people", "meeting", "narrative",
    "acronym", "semantic", "unanswerable", "followup",
)


class QuestionFileError(ValueError):
    """A question file cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Question:
    """One line of a question set (format: eval/README.md)."""

    id: str
    question: str
    answers: tuple[str, ...]
    source: str | None
    evidence: tuple[str, ...]
    type: str
    followup_of: str | None = None
    note: str | None = None
    paper: str | None = None  # which paper of the source holds the evidence; splits go by it
    file: str | None = None  # the question file's name (eval/split.py splits each file alone)

    @property
    def answerable(self) -> bool:
        """Questions with no acceptable answers are ones the papers cannot answer."""
        return bool(self.answers)

    @property
    def must_be_empty(self) -> bool:
        """The papers hold no answer, so the right reply is an abstention."""
        return not self.answers

    @property
    def is_followup(self) -> bool:
        return self.followup_of is not None


def expand_paths(patterns: Iterable[str | Path]) -> list[Path]:
    """Files named by paths or glob patterns (for when the shell did not expand them), in order."""
    paths: list[Path] = []
    for pattern in map(str, patterns):
        matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        if not matches:
            raise QuestionFileError(f"{pattern}: no file matches")
        paths.extend(Path(m) for m in matches if Path(m) not in paths)
    return paths


def load_questions(paths: Iterable[Path]) -> list[Question]:
    """All questions of the files, in order; ids must be unique and follow-ups must resolve."""
    questions = [q for path in paths for q in read_jsonl(path)]
    _check_unique(questions)
    _check_followups(questions)
    return questions


def read_jsonl(path: Path) -> list[Question]:
    """The questions of one file; blank lines are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionFileError(f"{path}: cannot read ({exc})") from exc
    return [replace(_parse_line(line, f"{path}:{n}"), file=path.name)
            for n, line in enumerate(lines, 1) if line.strip()]


def _parse_line(line: str, where: str) -> Question:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise QuestionFileError(f"{where}: not JSON ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise QuestionFileError(f"{where}: expected a JSON object")
    return parse_question(data, where)


def parse_question(data: Mapping[str, Any], where: str = "question") -> Question:
    """A Question from one decoded JSON object; unknown fields are ignored."""
    evidence = _strings(data, "evidence", where)
    if any(not e for e in evidence):
        raise QuestionFileError(f"{where}: 'evidence' holds an empty string")
    source = _optional_string(data, "source", where)
    if evidence and not source:
        raise QuestionFileError(f"{where}: 'evidence' given without a 'source'")
    answers = _strings(data, "answers", where)
    _check_must_be_empty(data, answers, evidence, where)
    return Question(
        id=_string(data, "id", where),
        question=_string(data, "question", where),
        answers=answers,
        source=source,
        evidence=evidence,
        type=_string(data, "type", where),
        followup_of=_optional_string(data, "followup_of", where),
        note=_optional_string(data, "note", where),
        paper=_optional_string(data, "paper", where),
    )


def _check_must_be_empty(
    data: Mapping[str, Any], answers: tuple[str, ...], evidence: tuple[str, ...], where: str,
) -> None:
    """The optional `must_be_empty` flag states what empty `answers` mean; it must agree with them."""
    flag = data.get("must_be_empty")
    if flag is None:
        return
    if not isinstance(flag, bool):
        raise QuestionFileError(f"{where}: 'must_be_empty' must be true, false or null")
    if flag and (answers or evidence):
        raise QuestionFileError(f"{where}: 'must_be_empty' is true but 'answers' or 'evidence' are given")
    if not flag and not answers:
        raise QuestionFileError(f"{where}: 'must_be_empty' is false but 'answers' is empty")


def _string(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise QuestionFileError(f"{where}: '{key}' must be a non-empty string")
    return value


def _optional_string(data: Mapping[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise QuestionFileError(f"{where}: '{key}' must be a string or null")
    return value


def _strings(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise QuestionFileError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _check_unique(questions: Sequence[Question]) -> None:
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            raise QuestionFileError(f"duplicate question id {q.id!r}")
        seen.add(q.id)


def _check_followups(questions: Sequence[Question]) -> None:
    by_id = {q.id: q for q in questions}
    for q in questions:
        if q.followup_of is not None and q.followup_of not in by_id:
            raise QuestionFileError(f"{q.id}: followup_of {q.followup_of!r} is not a question id")
        ancestors(q, by_id)  # raises on a cycle


def ancestors(question: Question, by_id: Mapping[str, Question]) -> list[Question]:
    """The questions a follow-up follows, oldest first (empty for a first question)."""
    chain: list[Question] = []
    current = question
    while current.followup_of is not None:
        current = by_id[current.followup_of]
        if current is question or current in chain:
            raise QuestionFileError(f"{question.id}: followup_of forms a cycle")
        chain.append(current)
    return chain[::-1]


def history(question: Question, by_id: Mapping[str, Question]) -> list[Turn]:
    """What to send with a follow-up: each earlier question with its best gold answer."""
    return [Turn(q.question, q.answers[0] if q.answers else None) for q in ancestors(question, by_id)]


def lint(questions: Iterable[Question]) -> list[str]:
    """Warnings about questions that load but will score oddly."""
    warnings: list[str] = []
    for q in questions:
        if q.type not in QUESTION_TYPES:
            warnings.append(f"{q.id}: unknown type {q.type!r}")
        if q.answerable and not q.evidence:
            warnings.append(f"{q.id}: answerable but no evidence; retrieval always counts a miss")
        if q.type == "unanswerable" and q.answerable:
            warnings.append(f"{q.id}: type 'unanswerable' but answers are given")
        if q.must_be_empty and q.evidence:
            warnings.append(f"{q.id}: no answers, so it must be empty (an abstention), but evidence is given")
    return warnings


def check_evidence(questions: Iterable[Question], text_of: Callable[[str], str | None]) -> list[str]:
    """Warnings for evidence strings that do not occur in their source's document text."""
    warnings: list[str] = []
    for q in questions:
        if not q.evidence or q.source is None:
            continue
        text = text_of(q.source)
        if text is None:
            warnings.append(f"{q.id}: source {q.source!r} not found")
            continue
        for evidence in q.evidence:
            if evidence not in text:
                warnings.append(f"{q.id}: evidence not in {q.source}: {_clip(evidence, 80)!r}")
    return warnings


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
