"""What each clearance may see of an index: its rows, and statistics computed from those rows only.

The access filter is a row mask inside retrieval (BM25's weight mask, FAISS's ID selector), so no
exempt chunk is ever ranked, cited, extracted or counted for the public. That alone would still
let exempt text move public scores through corpus statistics: BM25's idf and document lengths,
the papers' acronym list used to expand questions. So the public view gets a BM25 built over the
public chunks alone and acronyms read from public documents alone – a public answer is the one
an index without the exempt papers would give (tests/qa/test_access.py holds it to that).
Dense scores are cosines of a chunk's own vectors and need no such care.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from corpus.access import LEVELS, may_see
from corpus.acronyms import find_acronyms
from index.lexical import Lexical
from index.store import Index


class RowsLexical(Lexical):
    """BM25 over some rows of an index (their own statistics), scoring in the index's row numbers."""

    def __init__(self, inner: Lexical, rows: np.ndarray, total: int) -> None:
        super().__init__(inner.model, inner.size)
        self.rows = rows
        self.total = total

    def scores(self, query: str | list[str], mask: np.ndarray | None = None) -> np.ndarray:
        inner = super().scores(query, None if mask is None else mask[self.rows])
        out = np.zeros(self.total, dtype=np.float32)
        out[self.rows] = inner
        return out


def visible_rows(index: Index, clearance: str) -> np.ndarray:
    """Rows of the chunks a viewer with `clearance` may see."""
    return np.fromiter((may_see(clearance, c.access) for c in index.chunks), dtype=bool, count=len(index.chunks))


def view_of(index: Index, clearance: str) -> Index:
    """The index as `clearance` sees it: the same rows, with BM25 and acronyms of the visible
    rows only. The index itself when everything is visible."""
    visible = visible_rows(index, clearance)
    if visible.all():
        return index
    rows = np.flatnonzero(visible)
    terms = index.lexical.terms  # every chunk's terms, already tokenised by the build
    known = {c.index_text: row for row, c in enumerate(index.chunks)} if terms is not None else None
    lexical = RowsLexical(Lexical.build([index.chunks[r].index_text for r in rows], known, terms),
                          rows, len(index.chunks))
    texts = [d.text for d in index.documents.values() if may_see(clearance, d.access)]
    return replace(index, lexical=lexical, acronyms=find_acronyms(texts))


class Views:
    """One view of an index per access level, built once when the index is opened."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._views = {level: view_of(index, level) for level in LEVELS}
        self._masks = {level: visible_rows(index, level) for level in LEVELS}

    def of(self, clearance: str) -> Index:
        return self._views.get(clearance, self._views[LEVELS[0]])

    def mask(self, clearance: str) -> np.ndarray:
        """Rows visible at `clearance` (an unknown clearance sees public rows)."""
        return self._masks.get(clearance, self._masks[LEVELS[0]])

    def counts(self, clearance: str) -> tuple[int, int]:
        """(documents, chunks) a viewer with `clearance` may see."""
        documents = sum(1 for d in self.index.documents.values() if may_see(clearance, d.access))
        return documents, int(self.mask(clearance).sum())
