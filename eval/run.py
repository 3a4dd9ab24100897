"""Runs a question set through the assistant under each configuration and scores every answer."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from tqdm import tqdm

from corpus.errors import ClerkError
from eval.configs import EvalConfig
from eval.latency import Probe, timed
from eval.metrics import RECALL_KS, QuestionResult, Span, evidence_spans, score_question, with_rankings
from eval.questions import Question, history
from eval.summary import Summary, summarise
from qa.answer import Answer, Turn
from qa.settings import Settings

if TYPE_CHECKING:  # qa.assistant loads torch, which `check` never needs
    from qa.assistant import Assistant

class Answerer(Protocol):
    """What a configuration's questions are asked of: the in-process Assistant, or a running
    server (eval/remote.py, whose `embedder` is None: it is run without the CPU probe)."""

    embedder: Any

    def ask(self, question: str, *, history: Sequence[Turn], k: int | None, mode: str) -> Answer: ...


class AnswererSource(Protocol):
    """The answerer of each configuration: Assistants, or eval/remote.py's RemoteAssistants."""

    def for_config(self, config: EvalConfig) -> Answerer: ...


MIN_K = max(RECALL_KS)
MAX_K = 50  # the assistant refuses more


def open_assistant(settings: Settings, untrained: bool = False) -> Assistant:
    """Load the index and models once; raises corpus.errors.IndexMissing when there is no index.
    `untrained`: with a selector that needs no weights file (what `eval fit` starts from)."""
    from qa.assistant import Assistant
    from qa.selector import Selector

    return Assistant.open(settings, Selector.untrained() if untrained else None)


def _key(settings: Settings) -> tuple[str, str]:
    return str(settings.index_dir.resolve()), settings.model


class Assistants:
    """One loaded assistant per index folder and model; each configuration gets it with its own
    settings (which only change how questions are answered, so nothing is loaded twice)."""

    def __init__(self, base: Settings, opener: Callable[[Settings], Assistant] = open_assistant) -> None:
        self.base = base
        self._opener = opener
        self._loaded: dict[tuple[str, str], Assistant] = {}

    @property
    def first(self) -> Assistant:
        """The assistant of the base settings (its documents are the ones scored against)."""
        return self.for_settings(self.base)

    def for_settings(self, settings: Settings) -> Assistant:
        key = _key(settings)
        if key not in self._loaded:
            self._loaded[key] = self._opener(settings)
        return self._loaded[key]

    def for_config(self, config: EvalConfig) -> Assistant:
        from qa.assistant import Assistant

        settings = config.apply(self.base)
        loaded = self.for_settings(settings)
        return Assistant(loaded.index, loaded.embedder, settings)


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
class ConfigRun:
    """Every question answered and scored under one configuration."""

    config: EvalConfig
    results: tuple[QuestionResult, ...]
    answers: Mapping[str, Answer]  # by question id
    summary: Summary
    seconds: float


@dataclass(frozen=True)
class Evaluation:
    """Everything one evaluation measured."""

    k: int
    questions: tuple[Question, ...]
    runs: tuple[ConfigRun, ...]
    seconds: float
    spans: Mapping[str, tuple[Span, ...]]  # each question's evidence spans


def spans_of(questions: Sequence[Question], texts: DocumentTexts) -> dict[str, tuple[Span, ...]]:
    """Each question's evidence spans: every occurrence of every evidence string in its source."""
    return {
        q.id: evidence_spans(texts(q.source) or "", q.evidence) if q.source else ()
        for q in questions
    }


def warm_up(assistant: Answerer, questions: Sequence[Question], mode: str, k: int) -> None:
    """One unscored question first, so lazy model loading does not count as a question's latency."""
    if questions:
        assistant.ask(questions[0].question, history=[], k=k, mode=mode)


def run_config(
    assistant: Answerer, config: EvalConfig, questions: Sequence[Question], k: int,
    texts: DocumentTexts, spans: Mapping[str, tuple[Span, ...]], probe: bool = True,
) -> ConfigRun:
    """Ask every question under one configuration and score each answer."""
    began = time.perf_counter()
    by_id = {q.id: q for q in questions}
    timer = Probe(assistant.embedder.encode) if probe else None
    warm_up(assistant, questions, config.mode, k)
    results, answers = [], {}
    for q in tqdm(questions, desc=config.name, unit="q", disable=None, leave=False):
        done = timed(timer, partial(assistant.ask, q.question, history=history(q, by_id), k=k, mode=config.mode))
        answer = done.value
        cited = texts.of([c.source for c in answer.citations])
        results.append(score_question(q, answer, spans[q.id], cited, config.mode, config.name,
                                      done.cpu_ms, done.probe_ms))
        answers[q.id] = answer
    scored = with_rankings(results)
    return ConfigRun(config, tuple(scored), answers, summarise(config.name, scored), time.perf_counter() - began)


def evaluate(
    assistants: AnswererSource, questions: Sequence[Question], configs: Sequence[EvalConfig], k: int,
    texts: DocumentTexts, probe: bool = True,
) -> Evaluation:
    """Run every configuration over the question set; k is raised to at least 10 so R@10 is measurable."""
    k = max(MIN_K, k)
    began = time.perf_counter()
    spans = spans_of(questions, texts)
    runs = [run_config(assistants.for_config(c), c, questions, k, texts, spans, probe) for c in configs]
    return Evaluation(k, tuple(questions), tuple(runs), time.perf_counter() - began, spans)
