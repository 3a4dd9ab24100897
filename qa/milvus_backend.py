"""Retrieval's ranked lists from Milvus (CLERK_BACKEND=milvus), inside the filters as expressions.

The filters, the asker's clearance first, become a boolean expression Milvus applies inside each
search, so a row the asker may not see is never a candidate. BM25 runs in the text collection of
each access level the asker may see (a public asker's only in the public one, whose statistics
no exempt chunk touches); dense search in the vectors collection, grouped by chunk. Milvus
answers with chunk ids, mapped back to the rows of the local build that holds their text.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from corpus.access import LEVELS, may_see
from corpus.errors import BackendError
from index.milvus import MilvusStore
from index.milvus_rows import text_of
from index.store import Index
from qa.answer import Filters
from qa.settings import Settings

log = logging.getLogger(__name__)
RESOLVE_SECONDS = 1.0  # how soon a moved alias (a rebuild elsewhere) is followed
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def literal(value: str) -> str:
    """A Milvus expression string literal; other control characters, which no stored field holds,
    become U+FFFD, so such a filter matches nothing, as Filters.admits would."""
    return '"' + "".join(_ESCAPES.get(ch, "\ufffd" if ord(ch) < 32 else ch) for ch in value) + '"'


def expression(filters: Filters) -> str:
    """Filters.admits as a Milvus boolean expression over index.milvus_rows.Fields."""
    levels = [level for level in LEVELS if may_see(filters.clearance, level)]
    parts = [f"access == {literal(levels[0])}" if len(levels) == 1
             else f"access in [{', '.join(literal(level) for level in levels)}]"]
    if filters.committee:
        parts.append(f"committee == {literal(filters.committee.casefold())}")
    if filters.kind:
        parts.append(f"kind == {literal(filters.kind)}")
    if filters.date_from:
        parts.append(f'date != "" and date >= {literal(filters.date_from)}')
    if filters.date_to:
        parts.append(f'date != "" and date <= {literal(filters.date_to)}')
    return " and ".join(parts)


class MilvusBackend:
    """Searches the live generation of Clerk's collections for one loaded build."""

    needs_mask = False

    def __init__(self, store: MilvusStore, index: Index) -> None:
        self.store = store
        self.rows = {chunk.id: row for row, chunk in enumerate(index.chunks)}
        self._dimension = int(index.vectors.shape[1])
        self._generation: str | None = None
        self._generation = self._resolve()
        self._resolved = time.monotonic()

    @classmethod
    def open(cls, index: Index, settings: Settings) -> MilvusBackend:
        uri, prefix = settings.milvus_target
        return cls(MilvusStore(uri, prefix), index)

    def over(self, index: Index) -> MilvusBackend:
        """A newer build searched through this connection: a reload opens none of its own."""
        return MilvusBackend(self.store, index)

    def _resolve(self) -> str:
        """The live generation, checked and loaded when it is not the one searched already."""
        generation = self.store.live()
        if generation is None:
            raise BackendError(f"Milvus at {self.store.uri} holds no collections named {self.store.prefix}: run "
                               "`python -m qa ingest corpus/papers` with CLERK_BACKEND=milvus")
        if generation == self._generation:
            return generation  # checked when it went live; its vectors' size never changes
        if self.store.dimension(generation) != self._dimension:
            raise BackendError(f"Milvus collection {generation} holds vectors of {self.store.dimension(generation)} "
                               f"dimensions, the index {self._dimension}: run `python -m qa ingest corpus/papers "
                               "--rebuild` with CLERK_BACKEND=milvus")
        self.store.load(generation)
        return generation

    @property
    def generation(self) -> str:
        if self._generation is None or time.monotonic() - self._resolved > RESOLVE_SECONDS:
            self._generation, self._resolved = self._resolve(), time.monotonic()
        return self._generation

    def lexical(self, tokens: list[str], n: int, filters: Filters, mask: np.ndarray | None) -> dict[int, float]:
        text = text_of(tokens)
        if not text:
            return {}
        where, generation = expression(filters), self.generation
        found: dict[int, float] = {}
        for level in LEVELS:
            if may_see(filters.clearance, level):
                found.update(self._rows(self.store.search_text(self.store.text_name(generation, level), text, n, where)))
        top = sorted(found, key=found.__getitem__, reverse=True)[:n]
        return {row: found[row] for row in top}

    def dense(self, vector: np.ndarray, n: int, filters: Filters, mask: np.ndarray | None) -> dict[int, float]:
        return self._rows(self.store.search_vectors(f"{self.generation}_vectors", vector, n, expression(filters)))

    def _rows(self, hits: list[tuple[str, float]]) -> dict[int, float]:
        """Chunk ids as rows of the loaded build; an id it lacks (Milvus synced to a newer build
        than this process loaded) is left out until the newer build is loaded."""
        out = {}
        for chunk, score in hits:
            row = self.rows.get(chunk)
            if row is not None:
                out[row] = score
            else:
                log.debug("milvus returned %s, which build in memory lacks", chunk)
        return out
