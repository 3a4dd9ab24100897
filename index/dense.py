"""Inner-product search over normalised embeddings with FAISS: exact while the index is small,
an HNSW graph (float16 vectors) above ANN_ABOVE vectors; filters work with both."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import faiss
import numpy as np

log = logging.getLogger(__name__)
# Exact search reads every vector: ~8 ms a query at 60k vectors, ~80 ms at 600k (one core).
ANN_ABOVE = 100_000
ANN_FILE = "hnsw.faiss"
HNSW_M = 32
EF_CONSTRUCTION = 40
EF_SEARCH = 128
MAX_EF = 4096
# A filter that leaves at most this many vectors is searched exactly over just those vectors:
# a graph walk would meet too few of them.
EXACT_SUBSET = 20_000


class Dense:
    """Nearest vectors by inner product; results can be restricted to an allowed set of rows."""

    def __init__(self, vectors: np.ndarray, ann_above: int = ANN_ABOVE, graph: faiss.Index | None = None,
                 source: Path | None = None) -> None:
        self.vectors = vectors
        self.approximate = graph is not None or len(vectors) > ann_above
        self._graph = graph
        self._flat: faiss.IndexFlatIP | None = None
        self.source = source  # the graph file this index was loaded from

    @classmethod
    def grown(cls, previous: Dense, vectors: np.ndarray, ann_above: int = ANN_ABOVE) -> Dense:
        """The dense index of `vectors` whose first rows are `previous`'s vectors, unchanged:
        a saved graph is read back and given only the new rows (seconds, where building the
        graph again takes ~40 s at 600k vectors)."""
        if previous.source is None or not previous.approximate:
            return cls(vectors, ann_above)
        graph = faiss.read_index(str(previous.source))  # writable, in memory
        if graph.ntotal != previous.size:
            return cls(vectors, ann_above)
        _threads(os.cpu_count() or 1)
        _add(graph, vectors, previous.size)
        return cls(vectors, ann_above, graph)

    @classmethod
    def load(cls, folder: Path, vectors: np.ndarray, ann_above: int = ANN_ABOVE) -> Dense:
        """The dense index of a build folder: its saved graph if it has one (memory-mapped)."""
        path = folder / ANN_FILE
        if path.is_file():
            graph = faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
            if graph.ntotal == len(vectors):
                return cls(vectors, ann_above, graph, source=path)
            log.warning("%s holds %d vectors, not %d: searching exactly", path, graph.ntotal, len(vectors))
            return cls(vectors, ann_above=len(vectors))
        return cls(vectors, ann_above)

    def save(self, folder: Path) -> None:
        """Write the graph beside the vectors (exact search needs nothing more than the vectors)."""
        if self.approximate:
            faiss.write_index(self.graph, str(folder / ANN_FILE))

    @property
    def size(self) -> int:
        return len(self.vectors)

    @property
    def kind(self) -> str:
        return "hnsw" if self.approximate else "exact"

    @property
    def graph(self) -> faiss.Index:
        if self._graph is None:
            self._graph = build_graph(self.vectors)
        return self._graph

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, rows) of the k nearest vectors, best first, only among `allowed` rows if given."""
        k = min(k, self.size)
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if k <= 0:
            return _empty()
        if allowed is None:
            return self._search(query, k, None, EF_SEARCH)
        ids = np.flatnonzero(allowed)
        if not len(ids):
            return _empty()
        if self.approximate and len(ids) <= EXACT_SUBSET:
            return self._subset(query, k, ids)
        bits = np.packbits(np.asarray(allowed, dtype=bool), bitorder="little")
        # A graph walk skips rows the filter forbids; a wider beam keeps k allowed ones in reach.
        ef = min(MAX_EF, int(EF_SEARCH * self.size / len(ids)))
        return self._search(query, k, faiss.IDSelectorBitmap(self.size, faiss.swig_ptr(bits)), ef)

    def _search(self, query: np.ndarray, k: int, selector: faiss.IDSelector | None,
                ef: int) -> tuple[np.ndarray, np.ndarray]:
        _threads(1)  # one query: a second thread only waits for a busy core
        # faiss's type stubs lag its SWIG module: these calls are the documented Python API.
        if self.approximate:
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(ef, k))  # type: ignore[attr-defined]
            scores, rows = self.graph.search(query, k, params=params)
        else:
            params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
            scores, rows = self.flat.search(query, k, params=params)
        keep = rows[0] >= 0
        return scores[0][keep], rows[0][keep].astype(np.int64)

    def _subset(self, query: np.ndarray, k: int, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        scores = np.asarray(self.vectors[ids], dtype=np.float32) @ query[0]
        top = np.argpartition(-scores, k - 1)[:k] if k < len(ids) else np.arange(len(ids))
        top = top[np.argsort(-scores[top], kind="stable")]
        return scores[top], ids[top].astype(np.int64)

    @property
    def flat(self) -> faiss.IndexFlatIP:
        if self._flat is None:
            self._flat = faiss.IndexFlatIP(self.vectors.shape[1])
            if len(self.vectors):
                self._flat.add(np.ascontiguousarray(self.vectors, dtype=np.float32))
        return self._flat


def build_graph(vectors: np.ndarray) -> faiss.Index:
    """An HNSW graph over float16 copies of the vectors (half the memory of float32)."""
    log.info("building an HNSW graph over %d vectors", len(vectors))
    graph = faiss.IndexHNSWSQ(vectors.shape[1], faiss.ScalarQuantizer.QT_fp16,  # type: ignore[arg-type]
                              HNSW_M, faiss.METRIC_INNER_PRODUCT)
    graph.hnsw.efConstruction = EF_CONSTRUCTION
    _threads(os.cpu_count() or 1)
    _add(graph, vectors, 0)
    return graph


def _add(graph: faiss.Index, vectors: np.ndarray, start: int) -> None:
    """Add vectors[start:] to the graph, converted to float32 a slice at a time: the vectors
    may be a float16 memory map."""
    step = 65_536
    for first in range(start, len(vectors), step):
        graph.add(np.ascontiguousarray(vectors[first:first + step], dtype=np.float32))


def _threads(n: int) -> None:
    if faiss.omp_get_max_threads() != n:
        faiss.omp_set_num_threads(n)


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
