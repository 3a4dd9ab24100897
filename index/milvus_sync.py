"""Bringing Milvus up to date with the index folder's live build, after an ingest has saved it.

The build stays the source of truth (chunk text, spans, structure); Milvus holds what is
searched. A sync compares the signatures Milvus holds with the build's rows and upserts what
changed and deletes what vanished, by id, in the live generation. What it holds is read back
rather than remembered, so a sync that was killed half-way is finished by the next one. A
rebuild, a first sync, another vector dimension, or more than REWRITE_ABOVE of the rows changed
write a new generation instead and move the alias to it (index.milvus).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from corpus.access import LEVELS
from index.milvus import MilvusStore
from index.milvus_rows import Changes, TextRow, VectorRow, text_rows, vector_rows
from index.store import Index

log = logging.getLogger(__name__)
REWRITE_ABOVE = 0.5  # share of rows changed above which a new generation is cheaper and cleaner


@dataclass(frozen=True)
class SyncReport:
    generation: str
    rewritten: bool
    upserted: int
    deleted: int
    seconds: float

    def line(self) -> str:
        how = "written anew" if self.rewritten else "updated in place"
        return (f"milvus: {self.generation} {how}: {self.upserted} rows upserted, {self.deleted} deleted "
                f"in {self.seconds:.1f} s")


def sync(milvus: MilvusStore, index: Index, rebuild: bool = False) -> SyncReport:
    """Make the live generation hold `index` (the build just saved)."""
    started = time.perf_counter()
    texts = {level: {r.id: r for r in text_rows(index, level)} for level in LEVELS}
    vectors = {r.id: r for r in vector_rows(index)}
    live = milvus.live()
    if not rebuild and live is not None and milvus.dimension(live) == index.vectors.shape[1]:
        milvus.load(live)
        plans = _plans(milvus, live, texts, vectors)
        total = sum(len(t) for t in texts.values()) + len(vectors)
        if sum(len(c) for _, c, _ in plans) <= REWRITE_ABOVE * max(total, 1):
            upserted = deleted = 0
            for collection, changes, rows in plans:
                upserted += milvus.write(collection, (rows[i] for i in changes.upsert))
                milvus.delete(collection, changes.delete)
                deleted += len(changes.delete)
            if upserted or deleted:
                milvus.flush(live)
            milvus.prune()  # what a killed rebuild left
            return SyncReport(live, False, upserted, deleted, time.perf_counter() - started)
    generation = milvus.create(index.vectors.shape[1], len(vectors))
    written = sum(milvus.write(name, rows.values()) for name, rows in _targets(milvus, generation, texts, vectors))
    milvus.flush(generation)
    milvus.publish(generation)
    log.info("milvus generation %s is live", generation)
    return SyncReport(generation, True, written, 0, time.perf_counter() - started)


def _targets(milvus: MilvusStore, generation: str, texts: dict[str, dict[str, TextRow]],
             vectors: dict[str, VectorRow]) -> list[tuple[str, dict[str, TextRow] | dict[str, VectorRow]]]:
    """Each collection of a generation (MilvusStore.collections' order) with the rows it holds."""
    return list(zip(milvus.collections(generation), [vectors, *(texts[level] for level in LEVELS)]))


def _plans(milvus: MilvusStore, live: str, texts: dict[str, dict[str, TextRow]],
           vectors: dict[str, VectorRow]) -> list[tuple[str, Changes, dict[str, TextRow] | dict[str, VectorRow]]]:
    """For each collection of the live generation: what to upsert and delete, and the rows."""
    return [(name, Changes.between(milvus.held(name), {i: r.sig for i, r in rows.items()}), rows)
            for name, rows in _targets(milvus, live, texts, vectors)]
