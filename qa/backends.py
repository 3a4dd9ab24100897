"""Where retrieval's two ranked lists come from: the index folder's own BM25 and FAISS, or Milvus.

A backend answers "the best n chunk rows for these BM25 tokens" and "for this query vector",
always inside the filters (and so inside the asker's clearance); the retriever fuses the lists,
boosts and cuts them the same way whichever backend made them. CLERK_BACKEND picks one;
nothing of pymilvus is imported unless it is `milvus`.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from corpus.errors import BackendError
from index.store import Index
from qa.answer import Filters
from qa.settings import Settings

BACKENDS = ("builtin", "milvus")


class Backend(Protocol):
    # Whether the retriever should work out the filters' row mask for it (the builtin searches
    # under a mask; Milvus under an expression made from the filters themselves).
    needs_mask: bool

    def lexical(self, tokens: list[str], n: int, filters: Filters, mask: np.ndarray | None) -> dict[int, float]:
        """BM25 score of the best n rows, only rows with a positive score."""

    def dense(self, vector: np.ndarray, n: int, filters: Filters, mask: np.ndarray | None) -> dict[int, float]:
        """Best cosine of each of the best n rows: their own vector's or any of their sentences'."""

    def over(self, index: Index) -> Backend:
        """The same backend for another build of the index (a reload), through the same connection."""


class BuiltinBackend:
    """bm25s and FAISS over the index folder's own files."""

    needs_mask = True

    def __init__(self, index: Index) -> None:
        self.index = index

    def lexical(self, tokens: list[str], n: int, filters: Filters, mask: np.ndarray | None) -> dict[int, float]:
        scores = self.index.lexical.scores(tokens, mask)
        top = np.argsort(-scores)[:n]
        return {int(i): float(scores[i]) for i in top if scores[i] > 0}

    def dense(self, vector: np.ndarray, n: int, filters: Filters, mask: np.ndarray | None) -> dict[int, float]:
        owners, live = self.index.owners, self.index.live
        allowed = live if mask is None else mask[owners] if live is None else mask[owners] & live
        scores, rows = self.index.dense.search(vector, n * 4, allowed)
        best: dict[int, float] = {}
        for row, score in zip(owners[rows].tolist(), scores.tolist()):
            if score > best.get(row, -1.0):
                best[row] = score
        top = sorted(best, key=best.__getitem__, reverse=True)[:n]
        return {row: best[row] for row in top}

    def over(self, index: Index) -> BuiltinBackend:
        return BuiltinBackend(index)


def open_backend(index: Index, settings: Settings) -> Backend:
    """The backend the settings name, over `index` (an access level's view of the build)."""
    if settings.backend == "builtin":
        return BuiltinBackend(index)
    _known(settings)
    from qa.milvus_backend import MilvusBackend

    return MilvusBackend.open(index, settings)


def shared_backend(index: Index, settings: Settings) -> Backend | None:
    """One backend for every access level's retriever, or None when each needs its own (the
    builtin one searches each level's view of the index; Milvus takes the clearance from the
    filters, so one connection serves them all)."""
    return None if settings.backend == "builtin" else open_backend(index, settings)


def sync_backend(settings: Settings, rebuild: bool = False) -> str | None:
    """After an ingest saved a build: bring the backend up to date with it (Milvus only; the
    builtin backend is the build). A line saying what was done, None when nothing was."""
    if settings.backend == "builtin":
        return None
    _known(settings)
    from index.milvus import MilvusStore
    from index.milvus_sync import sync
    from index.store import IndexStore

    store = IndexStore(settings.index_dir)
    if not store.exists():
        return None
    milvus = MilvusStore(*settings.milvus_target)
    try:
        return sync(milvus, store.load(settings.model), rebuild).line()
    finally:
        milvus.close()


def _known(settings: Settings) -> None:
    if settings.backend not in BACKENDS:
        raise BackendError(f"CLERK_BACKEND must be one of {', '.join(BACKENDS)}, not {settings.backend!r}")
