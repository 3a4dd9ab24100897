"""Peers measured side by side with Clerk over the same chunks: txtai's hybrid index (BM25 + the
same MiniLM folder through sentence-transformers) and a naive rank-bm25 BM25Okapi."""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from corpus.document import Chunk

WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


class RankBM25:
    """BM25Okapi over lower-cased words: every query scores every chunk in Python."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        from rank_bm25 import BM25Okapi  # type: ignore[import-untyped]

        t0 = time.perf_counter()
        self.model = BM25Okapi([words(c.text) for c in chunks])
        self.build_s = time.perf_counter() - t0

    def search(self, question: str, k: int) -> list[int]:
        scores = self.model.get_scores(words(question))
        top = np.argpartition(-scores, k)[:k] if k < len(scores) else np.arange(len(scores))
        return top[np.argsort(-scores[top])].tolist()


class Txtai:
    """txtai Embeddings with hybrid=True (its BM25 scoring plus dense vectors), saved and reloaded
    from disk as a deployment would, using the packaged model folder offline."""

    def __init__(self, chunks: Sequence[Chunk], model_path: str) -> None:
        from txtai import Embeddings

        self.folder = Path(tempfile.mkdtemp(prefix="clerk-bench-txtai-"))
        config = {"path": model_path, "method": "sentence-transformers", "hybrid": True, "content": False}
        embeddings = Embeddings(**config)
        t0 = time.perf_counter()
        embeddings.index([(row, c.text, None) for row, c in enumerate(chunks)])
        self.build_s = time.perf_counter() - t0
        embeddings.save(str(self.folder))
        t0 = time.perf_counter()
        self.embeddings = Embeddings()
        self.embeddings.load(str(self.folder))
        self.embeddings.search("warm-up", 1)
        self.load_s = time.perf_counter() - t0
        self.units = len(chunks)

    def search(self, question: str, k: int) -> list[int]:
        return [int(row) for row, _ in self.embeddings.search(question, k)]

    def disk_mb(self) -> float:
        return sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file()) / 2**20

    def close(self) -> None:
        self.embeddings.close()
        shutil.rmtree(self.folder, ignore_errors=True)
