"""BM25 over Clerk's own tokens (bm25s keeps one-character tokens only if we tokenise ourselves)."""

from __future__ import annotations

import logging
from pathlib import Path

import bm25s
import numpy as np

from index.tokenize import codes, joined_pairs, tokenize, words

log = logging.getLogger(__name__)


class Lexical:
    """A BM25 index over chunk texts; scores every chunk for a query in well under a millisecond."""

    def __init__(self, model: bm25s.BM25, size: int) -> None:
        self.model = model
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> Lexical:
        model = bm25s.BM25(k1=1.2, b=0.75)
        found = [words(t) for t in texts]  # normalised once, read three ways
        tokens = [tokenize(w) for w in found]
        vocab = {token for row in tokens for token in row}
        for row, w in zip(tokens, found):
            row.extend(j for j in joined_pairs(w) if j in vocab)
            row.extend(codes(w))
        # An all-empty token list breaks bm25s; a placeholder keeps row numbers aligned.
        model.index([row or ["\u2205"] for row in tokens], show_progress=False)
        return cls(model, len(texts))

    def joined(self, text: str) -> list[str]:
        """The query's tokens for things written as one: codes ("NI 68") and words written
        apart that the papers also write as one ("case load")."""
        found = words(text)
        return [j for j in joined_pairs(found) if j in self.model.vocab_dict] + codes(found)

    def scores(self, query: str | list[str], mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every chunk (zeros where `mask` is False or no query term is known)."""
        tokens = tokenize(query) if isinstance(query, str) else query
        ids = self.model.get_tokens_ids(tokens)
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        weights = None if mask is None else mask.astype(np.float32)
        return np.asarray(self.model.get_scores_from_ids(ids, weight_mask=weights), dtype=np.float32)

    def idf(self, tokens: list[str]) -> dict[str, float]:
        """Inverse document frequency of each token (unknown tokens count as rare)."""
        indptr = self.model.scores["indptr"]
        vocab = self.model.vocab_dict
        out: dict[str, float] = {}
        for token in tokens:
            i = vocab.get(token)
            df = int(indptr[i + 1] - indptr[i]) if i is not None else 0
            out[token] = float(np.log(1.0 + (self.size - df + 0.5) / (df + 0.5)))
        return out

    def save(self, folder: Path) -> None:
        self.model.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int) -> Lexical:
        model = bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
        return cls(model, size)
