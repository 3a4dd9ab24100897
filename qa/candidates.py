"""Answer candidates: every span of the top retrieved chunks that could answer a question (each
sentence, a sentence with the line after it, a whole lettered list or RESOLVED block, each table
cell, and what the pattern readers pick), with the general features the answer selector
(qa/selector.py) weighs."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from corpus.document import Chunk
from corpus.lines import marked_heading, shouting
from corpus.sentences import sentences, strip_span
from corpus.tables import line_cells, own_label
from index.builder import sentence_units
from index.tokenize import tokenize
from qa.answer_types import CACHED, asked_type, names_new, new_share, question_class, word_keys
from qa.extraction import (
    MAX_ANSWER,
    Extract,
    Vocabulary,
    answer_shape,
    asked_terms,
    asks_decision,
    clip_end,
    column_score,
    extract,
    label_column,
    lacks_what_is_asked,
    period_mismatch,
    resolution_answer,
    whole_list,
)
from qa.motions import asks_motion

_DECIDED = re.compile(r"\b(resolved|agreed|approved|noted|recommend\w*|carried|decided|endorsed|that the)\b", re.I)
_ASKS_TIME = re.compile(r"\b(?:what|which|at what) time\b|\bhow late\b", re.I)
_TIME = re.compile(r"\b\d{1,2}(?:[.:]\d{2})?\s*(?:[ap]\.?m\b\.?|noon|o'clock)|\b\d{1,2}:\d{2}\b", re.I)
WINDOW = 200  # characters before a span (half as many after) whose words count as its setting
_NAME = re.compile(r"\b(?:Cllr|Councillor|Mr|Mrs|Ms|Dr)\.?\s+[A-Z]|\b[A-Z][a-z]+\s+(?:Mc|Mac|O')?[A-Z][a-z]{2,}")

FEATURES = (
    "coverage", "coverage_context", "coverage_chunk", "dense", "dense_chunk", "retrieval", "rank",
    "shape_held", "shape_missing", "period_mismatch", "decision_resolution", "decision_words",
    "decision_table", "kind_table", "kind_resolution", "kind_minutes", "cell", "column", "column_other",
    "position", "first", "words", "heading", "names", "pair", "block", "rule", "rule_fit",
    "motion_rule", "definition", "missing_rare", "followup_own", "coverage_window",
    "time_held", "new_share", "type_new", "type_lacking", "coverage_before", "coverage_around", "dense_qa",
)


@dataclass(frozen=True)
class Candidate:
    """One possible answer: a span of the chunk of hit `hit`, with its feature values."""

    hit: int
    start: int
    end: int
    label: str | None
    features: tuple[float, ...]
    empty_cell: bool = False
    keys: tuple[str, ...] = ()  # its words and word shapes, for the selector's word model


@dataclass(frozen=True)
class Asked:
    """What one question asks for, worked out once for all its candidates."""

    question: str
    vocab: Vocabulary
    vector: np.ndarray
    shape: str | None
    decision: bool
    motion: bool
    own: str | None = None  # a follow-up's own words, without the question it widens
    time: bool = False  # asks for a time of day
    kind: str | None = None  # the kind of answer asked for (qa/answer_types.py)
    known: frozenset[str] = frozenset()  # the question's tokens: what an answer adds is the rest
    klass: str = "none|-"  # the asked type and question word (qa/answer_types.question_class)
    adapted: np.ndarray | None = None  # the vector moved by the fitted question adapter (qa/adapter.py)

    @classmethod
    def of(cls, question: str, vocab: Vocabulary, vector: np.ndarray, own: str | None = None,
           adapted: np.ndarray | None = None) -> Asked:
        """`question` is what is retrieved with: a follow-up's words with the previous question's."""
        kind = (asked_type(own) if own else None) or asked_type(question)
        return cls(question, vocab, vector, answer_shape(question), asks_decision(question), asks_motion(question),
                   own, bool(_ASKS_TIME.search(own or question)), kind, frozenset(tokenize(question)),
                   question_class(question, own), adapted)

    def wanted(self, chunk: Chunk) -> dict[str, float]:
        return asked_terms(self.question, chunk, self.vocab)

    def own_wanted(self, chunk: Chunk) -> dict[str, float]:
        return asked_terms(self.own, chunk, self.vocab) if self.own else {}


def _coverage(weights: dict[str, float], words: set[str]) -> float:
    """The idf-weighted share of the question's terms among `words` (a text's tokens)."""
    if not weights:
        return 0.0
    return sum(w for t, w in weights.items() if t in words) / (sum(weights.values()) or 1.0)


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    origin: str  # sentence | pair | block | cell
    label: str | None = None
    column: float = 0.0
    empty_cell: bool = False


def _prose_spans(chunk: Chunk) -> list[_Span]:
    """Each sentence; a sentence with the next one of its paragraph (a heading over its line, a
    subject over its figure); a lettered or numbered list whole; a RESOLVED block whole."""
    text = chunk.text
    spans = list(sentences(text, wrapped=True))
    out = [_Span(a, clip_end(text, a, b), "sentence") for a, b in spans]
    for (a, b), (c, d) in zip(spans, spans[1:]):
        if "\n\n" not in text[b:c] and d - a <= MAX_ANSWER and "\t" not in text[a:d]:
            out.append(_Span(a, d, "pair"))
    for a, b in spans:
        first, last = whole_list(text, spans, a, b)
        if (first, last) != (a, b):
            out.append(_Span(first, clip_end(text, first, last), "block"))
    return out


def _cell_spans(question: str, chunk: Chunk) -> list[_Span]:
    """Each cell of a table row but the one naming the row, labelled 'row — column' (the
    column a cell carries itself, "Latest: 84%", before the header's)."""
    cells = line_cells(chunk.text)
    first = tuple(chunk.text[a:b] for n, _, a, b in cells if n == 0)
    if len(cells) < 2:
        return []
    at = label_column(first)
    row = first[at].strip()
    out = []
    for n, i, a, b in cells:
        if n == 0 and i == at:
            continue
        start, end = strip_span(chunk.text, a, b)
        if n > 0 and start == end:
            continue  # the indent of a line that continues the row, not a cell of it
        header = own_label(chunk.text[start:end]) or (chunk.header[i] if i < len(chunk.header) else "")
        label = f"{row} — {header or f'column {i + 1}'}"
        score = column_score(question, header) if header else 0.0
        out.append(_Span(start, end, "cell", label, score, empty_cell=start == end))
    return out


def _unique(spans: Sequence[_Span]) -> list[_Span]:
    seen: set[tuple[int, int]] = set()
    out = []
    for span in spans:
        if (span.start, span.end) not in seen and (span.end > span.start or span.empty_cell):
            seen.add((span.start, span.end))
            out.append(span)
    return out


class _SentenceVectors:
    """The stored vectors of one chunk's sentences, so a candidate's dense similarity to the
    question costs a dot product, not an encoding."""

    def __init__(self, chunk: Chunk, vectors: np.ndarray, question: np.ndarray,
                 spans: list[tuple[int, int]] | None = None) -> None:
        """`spans`: the chunk's sentence units when already found (index/builder.sentence_units)."""
        cosines = (vectors.astype(np.float32) @ question).tolist() if len(vectors) else [0.0]
        self.chunk = max(cosines)
        spans = sentence_units(chunk) if spans is None else spans
        units = spans if len(cosines) == len(spans) + 1 else []
        self.units = list(zip(units, cosines[1:]))
        self.whole = cosines[0]

    def _inside(self, start: int, end: int) -> list[float]:
        return [c for (a, b), c in self.units if a < end and start < b]

    def of(self, start: int, end: int) -> float:
        """The best cosine of the sentences a span overlaps, else the whole chunk's."""
        return max(self._inside(start, end), default=self.whole)

    def best_inside(self, start: int, end: int) -> float:
        """The best cosine of the sentences a span overlaps, else of the chunk's best sentence."""
        return max(self._inside(start, end), default=max((c for _, c in self.units), default=self.whole))


def chunk_candidates(asked: Asked, hit: int, chunk: Chunk, retrieval: float, vectors: np.ndarray,
                     defined: Extract | None = None, before: Chunk | None = None,
                     after: Chunk | None = None) -> list[Candidate]:
    """The candidates of one retrieved chunk (`hit` is its rank, 0 first); `defined` is where
    the acronym reader found the asked acronym defined in it; `before` and `after` are the
    chunks on either side of it in its document."""
    rule = extract(asked.question, chunk, asked.vocab)
    spans = _cell_spans(asked.question, chunk) if chunk.kind == "table" else _prose_spans(chunk)
    if chunk.kind == "resolution":
        block = resolution_answer(asked.question, chunk, asked.vocab)
        spans.append(_Span(block.start, block.end, "block"))
    if rule is not None and not rule.empty_cell:
        spans.append(_Span(rule.start, rule.end, "rule", rule.label))
    if defined is not None:
        spans.insert(0, _Span(defined.start, defined.end, "definition", defined.label))
    units = sentence_units(chunk)
    dense = _SentenceVectors(chunk, vectors, asked.vector, units)
    # without a fitted adapter, the plain cosine stands in for the adapted one
    adapted = _SentenceVectors(chunk, vectors, asked.adapted, units) if asked.adapted is not None else None
    context = " ".join(x for x in (chunk.title, chunk.item_heading, " ".join(chunk.header)) if x)
    own = set(_tokens(chunk.index_text))
    previous = set(_tokens(before.index_text)) if before is not None else set()
    following = set(_tokens(after.index_text)) if after is not None else set()
    terms = _Terms(asked.wanted(chunk), asked.own_wanted(chunk), set(tokenize(context)), own, previous,
                   own | previous | following)
    unique = _unique(spans)
    return [_candidate(asked, hit, chunk, s, n, len(unique), rule, retrieval, dense, adapted, terms)
            for n, s in enumerate(unique)]


@dataclass(frozen=True)
class _Terms:
    """Worked out once per chunk: the question's weighted terms for it (and a follow-up's own
    ones), the tokens of its title, heading and header, of its whole text, and of its
    neighbours'."""

    wanted: dict[str, float]
    own: dict[str, float]
    context: set[str]
    chunk: set[str]
    before: set[str]  # the chunk before it in its document
    around: set[str]  # it and the chunks either side


def _candidate(asked: Asked, hit: int, chunk: Chunk, span: _Span, n: int, count: int, rule: Extract | None,
               retrieval: float, dense: _SentenceVectors, adapted: _SentenceVectors | None,
               terms: _Terms) -> Candidate:
    text = chunk.text[span.start:span.end]
    is_rule = rule is not None and (rule.start, rule.end) == (span.start, span.end)
    label = span.label or (rule.label if is_rule else None)
    found = Extract(span.start, span.end, 0.0, label)
    table = chunk.kind == "table"
    wanted = terms.wanted
    tokens = _tokens(text)
    words = set(_tokens(label)) | set(tokens) if label else set(tokens)
    setting = terms.context | words
    held = asked.kind is not None and names_new(asked.kind, text, asked.known)
    values = {
        "coverage": _coverage(wanted, set(tokens)),
        "coverage_context": _coverage(wanted, setting),
        "coverage_chunk": _coverage(wanted, terms.chunk),
        "dense": dense.of(span.start, span.end),
        "dense_chunk": dense.chunk,
        "retrieval": retrieval,
        "rank": 1.0 / (1 + hit),
        "shape_held": float(asked.shape is not None and not lacks_what_is_asked(asked.question, text)),
        "shape_missing": float(asked.shape is not None and lacks_what_is_asked(asked.question, text)),
        "period_mismatch": float(period_mismatch(asked.question, chunk, found)),
        "decision_resolution": float(asked.decision and chunk.kind == "resolution"),
        "decision_words": float(asked.decision and bool(_DECIDED.search(text))),
        "decision_table": float(asked.decision and table),
        "kind_table": float(table),
        "kind_resolution": float(chunk.kind == "resolution"),
        "kind_minutes": float(chunk.kind == "minutes"),
        "cell": float(span.origin == "cell"),
        "column": max(0.0, min(span.column, 6.0)) / 6.0,
        "column_other": float(span.column < 0),
        "position": n / max(1, count - 1),
        "first": float(n == 0),
        "words": math.log1p(len(text.split())),
        "heading": float(_heading(text)),
        "names": float(asked.shape == "name" and bool(_NAME.search(text))),
        "pair": float(span.origin == "pair"),
        "block": float(span.origin == "block"),
        "rule": float(is_rule),
        "rule_fit": rule.fit if is_rule and rule is not None else 0.0,
        "motion_rule": float(is_rule and asked.motion),
        "definition": float(span.origin == "definition"),
        "missing_rare": _missing_rare(wanted, setting | terms.chunk),
        # A follow-up is answered by what its own words ask ("and at year end?").
        "followup_own": _coverage(terms.own, words),
        # The question's words just around a short span: names on the line under the heading
        # that says what they are, a vote's count under its motion.
        "coverage_window": _coverage(wanted, _window(chunk.text, span)),
        "time_held": float(asked.time and bool(_TIME.search(text))),
        # What the answer adds to the question, and whether that holds the kind of thing asked.
        "new_share": new_share(tokens, asked.known),
        "type_new": float(held),
        "type_lacking": float(asked.kind is not None and not held),
        # Minutes say what was discussed, then what was decided or how the vote went: the
        # answer's chunk often holds few of the question's words and follows one that holds them.
        "coverage_before": _coverage(wanted, terms.before),
        "coverage_around": _coverage(wanted, terms.around),
        # The adapted question's cosine (qa/adapter.py): near the sentences that answer it.
        "dense_qa": (adapted.best_inside(span.start, span.end) if adapted is not None
                     else dense.of(span.start, span.end)),
    }
    keys = word_keys(asked.klass, f"{label} {text}" if label else text, asked.known)
    return Candidate(hit, span.start, span.end, label, tuple(values[f] for f in FEATURES), span.empty_cell, keys)


def _window(text: str, span: _Span) -> set[str]:
    return set(_tokens(text[max(0, span.start - WINDOW):span.end + WINDOW // 2]))


@lru_cache(maxsize=CACHED)
def _tokens(text: str) -> tuple[str, ...]:
    """A span's tokens, kept (the CACHED latest): the same chunks come back question after question."""
    return tuple(tokenize(text))


def _missing_rare(weights: dict[str, float], words: set[str]) -> float:
    """How rare the rarest question term the chunk lacks is, against the rarest it has: a code,
    quarter or name the papers do not pair with the subject is a sign they do not say."""
    if not weights:
        return 0.0
    lacking = [w for t, w in weights.items() if t not in words]
    return max(lacking, default=0.0) / (max(weights.values()) or 1.0)


def _heading(text: str) -> bool:
    line = text.strip()
    return bool(marked_heading(line) or shouting(line)) or (
        len(line.split()) <= 4 and not line.endswith((".", "!", "?")) and not re.search(r"\d", line))


def question_candidates(asked: Asked, chunks: Sequence[Chunk], rows: Sequence[int], scores: Sequence[float],
                        vectors_of: Callable[[int], np.ndarray], defined: Extract | None = None) -> list[Candidate]:
    """Every candidate of the retrieved chunks `rows`, best retrieved first; `defined` is a
    definition found in the first of them."""
    top = max(scores) if scores else 1.0
    out: list[Candidate] = []
    for hit, (row, score) in enumerate(zip(rows, scores)):
        out += chunk_candidates(asked, hit, chunks[row], score / (top or 1.0), vectors_of(row),
                                defined if hit == 0 else None, _beside(chunks, row, -1), _beside(chunks, row, 1))
    return out


def _beside(chunks: Sequence[Chunk], row: int, step: int) -> Chunk | None:
    """The chunk `step` rows away when it is of the same document (an index keeps each
    document's chunks together, in order)."""
    other = row + step
    if 0 <= other < len(chunks) and chunks[other].source == chunks[row].source:
        return chunks[other]
    return None
