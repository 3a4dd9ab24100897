"""Ranking chunks for a query: BM25, dense, or both fused, always inside the filters."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from corpus.dates import mentioned_periods
from index.embedder import Embedder
from index.tokenize import normalise, tokenize
from index.store import Index
from qa.answer import Filters
from qa.backends import Backend, open_backend
from qa.fusion import rrf, weighted
from qa.query import expand, query_tokens
from qa.settings import Settings

MODES = ("hybrid", "bm25", "dense", "rrf")
# Added (as a share of the best fused score) to chunks of a meeting or committee the question names.
# Dev hybrid R@1 / answer accuracy by MEETING_BOOST: 0.2-0.25 -> 0.75/0.73, 0.3 -> 0.77/0.75,
# 0.4-0.6 -> 0.77/0.75 but bm25 R@1 0.72 -> 0.70: another meeting's agenda that mentions the
# named date should not outrank the named meeting's own minutes.
MEETING_BOOST = 0.3
COMMITTEE_BOOST = 0.05
# Added (times the share of a table row's label the question covers) to rows whose label the
# question names: "How many cared for children..." and the row "Number of cared for children",
# whose long commentary cell otherwise buries it under rows that repeat one of its words.
# Dev + own set: 0.3 -> that row at rank 3 in hybrid, 0.4 -> rank 1 with nothing else moved,
# 0.5 -> two bm25 questions lose rank 1 to rows naming only "date" and "meeting".
ROW_LABEL_BOOST = 0.4
ROW_LABEL_COVERS = 1.0
QUERY_VECTORS = 64
# "How many" asks for what papers label "Number of ...".
_HOW_MANY = re.compile(r"\bhow\s+many\b", re.IGNORECASE)


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk row with its fused score and the per-retriever scores behind it."""

    row: int
    score: float
    lexical: float
    dense: float


class Retriever:
    def __init__(self, index: Index, embedder: Embedder, settings: Settings, backend: Backend | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        # Who ranks: the index folder's bm25s and FAISS, or Milvus (CLERK_BACKEND, qa/backends.py).
        self.backend = backend if backend is not None else open_backend(index, settings)
        self._committees = sorted({c.committee for c in index.chunks if c.committee}, key=len, reverse=True)
        self._access: dict[str, np.ndarray | None] = {}  # clearance -> rows it may see
        self._labels: dict[int, list[list[str]]] = {}  # table row -> its rows' label tokens
        self._vectors: dict[str, np.ndarray] = {}  # recent queries' vectors (search, then the selector)

    def mask(self, filters: Filters | None) -> np.ndarray | None:
        """Rows retrieval may return: the filters' and, always, the clearance's (no filters at all
        means public material only); None when every row is allowed."""
        filters = filters or Filters()
        if filters.empty:
            return self._access_mask(filters.clearance)
        return np.fromiter((filters.admits(c) for c in self.index.chunks), dtype=bool, count=len(self.index.chunks))

    def _access_mask(self, clearance: str) -> np.ndarray | None:
        if clearance not in self._access:
            seen = Filters(clearance=clearance)
            mask = np.fromiter((seen.admits(c) for c in self.index.chunks), dtype=bool, count=len(self.index.chunks))
            self._access[clearance] = None if mask.all() else mask
        return self._access[clearance]

    def lexical(self, query: str, n: int, mask: np.ndarray | None, filters: Filters | None = None) -> dict[int, float]:
        tokens = query_tokens(query, self.index.acronyms) + self.index.lexical.joined(query)
        return self.backend.lexical(tokens, n, filters or Filters(), mask)

    def query_vector(self, query: str) -> np.ndarray:
        """The query's vector, encoded once however often it is asked for in a row."""
        vector = self._vectors.get(query)
        if vector is None:
            if len(self._vectors) >= QUERY_VECTORS:
                self._vectors.clear()
            vector = self._vectors[query] = self.embedder.encode([expand(query, self.index.acronyms)])[0]
        return vector

    def dense(self, vector: np.ndarray, n: int, mask: np.ndarray | None,
              filters: Filters | None = None) -> dict[int, float]:
        """Best cosine of each chunk: its own vector or any of its sentences'."""
        return self.backend.dense(vector, n, filters or Filters(), mask)

    def exact_dense(self, vector: np.ndarray, rows: list[int]) -> dict[int, float]:
        """The same best cosine, computed for chosen rows whether or not FAISS returned them."""
        return {row: float((self.index.vectors_of(row) @ vector).max()) for row in rows}

    def _named_meetings(self, query: str, fused: dict[int, float]) -> dict[int, float]:
        """A question that names a meeting's date or committee ("the 28 June 2011 meeting",
        "the March 2018 Corporate Parenting Committee") prefers chunks of that meeting."""
        periods = mentioned_periods(query)
        lowered = f" {normalise(query)} "
        named = [c for c in self._committees if f" {normalise(c)} " in lowered]
        if not periods and not named or not fused:
            return fused
        top = max(fused.values()) or 1.0
        out = dict(fused)
        for row in fused:
            chunk = self.index.chunks[row]
            date = chunk.meeting_date or ""
            if periods and date and any(date.startswith(p) for p in periods):
                out[row] += MEETING_BOOST * top
            if named and chunk.committee in named:
                out[row] += COMMITTEE_BOOST * top
        return out

    def _named_rows(self, query: str, fused: dict[int, float]) -> dict[int, float]:
        """Table rows whose label the question names (most of the label's words) go up."""
        asked = set(tokenize(_HOW_MANY.sub(" number ", query)))
        if not fused or not asked:
            return fused
        top = max(fused.values()) or 1.0
        out = dict(fused)
        for row in fused:
            chunk = self.index.chunks[row]
            if chunk.kind != "table":
                continue
            labels = self._labels.get(row)
            if labels is None:
                labels = self._labels[row] = row_labels(chunk.text, chunk.header)
            covered = max((_covers(label, asked) for label in labels), default=0.0)
            if covered >= ROW_LABEL_COVERS:
                out[row] += ROW_LABEL_BOOST * covered * top
        return out

    def search(self, query: str, k: int, filters: Filters | None = None, mode: str = "hybrid") -> list[Hit]:
        n = max(k, self.settings.candidates)
        mask = self.mask(filters) if self.backend.needs_mask else None
        vector = self.query_vector(query) if mode != "bm25" else None
        lex = self.lexical(query, n, mask, filters) if mode != "dense" else {}
        den = self.dense(vector, n, mask, filters) if vector is not None else {}
        if mode == "bm25":
            fused = lex
        elif mode == "dense":
            fused = den
        elif mode == "rrf":
            fused = rrf([lex, den])
        else:
            w = self.settings.dense_weight
            fused = weighted([(lex, 1.0 - w), (den, w)])
        fused = self._named_meetings(query, fused)
        fused = self._named_rows(query, fused)
        ranked = sorted(fused, key=fused.__getitem__, reverse=True)[:k]
        exact = self.exact_dense(vector, ranked) if vector is not None else {}
        return [Hit(r, fused[r], lex.get(r, 0.0), exact.get(r, 0.0)) for r in ranked]


def row_labels(text: str, header: tuple[str, ...] = ()) -> list[list[str]]:
    """The tokens of each row's label: of a row's first three cells, the one with the most
    words ("G1 | Jacqui Hall | Number of cared for children" -> number, care, children).
    A header row (repeated on a later page too) names columns, not a row: it has no label."""
    labels = []
    heading = {cell.strip().lower() for cell in header}
    for line in text.split("\n"):
        if {cell.strip().lower() for cell in line.split("\t")} - {""} <= heading:
            continue
        cells = [tokenize(cell) for cell in line.split("\t")[:3]]
        words = [[t for t in cell if not t[0].isdigit()] for cell in cells]
        best = max(words, key=len, default=[])
        if len(best) >= 2:
            labels.append(best)
    return labels


def _covers(label: list[str], asked: set[str]) -> float:
    return sum(1 for t in label if t in asked) / len(label)
