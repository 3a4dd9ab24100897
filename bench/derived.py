"""Vectors for synthetic copies derived from the real x1 vectors, so x10/x100 indexes can be built
without hours of encoding.

A synthetic text is matched to the x1 text it was made from by a key that ignores what the
copies change (place names, years, sentence order); its vector is that x1 vector plus Gaussian
noise of a size calibrated against real encodings of a sample of copied texts, renormalised.
A chunk window with no x1 match (it now spans other sentences) gets the mean of its sentences'
derived vectors when at least half of them match; anything else (new text) is encoded for real
by the model. All three counts are reported.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable

import numpy as np

from bench.synth import COUNCIL, PLACES, YEAR
from corpus.sentences import sentences
from index.embedder import Embedder

WORD = re.compile(r"\w+")
_PLACE_WORDS = {p.lower() for p in PLACES} | set(COUNCIL.lower().split())


def key(text: str) -> tuple[str, ...]:
    """The bag of words of a text with place names and years masked: equal for a text and its copies."""
    words = []
    for word in WORD.findall(YEAR.sub("#", text.lower())):
        stem = word.rstrip("0123456789")
        if stem not in _PLACE_WORDS:
            words.append(word)
    return tuple(sorted(words))


def sigma_for(cosine: float, dim: int) -> float:
    """Noise per component that leaves a unit vector at `cosine` to itself (in expectation)."""
    return math.sqrt(max(0.0, 1.0 / cosine**2 - 1.0) / dim)


class DerivedEmbedder:
    """Stands in for Embedder in the Builder: derived vectors where an x1 match exists, real ones else."""

    def __init__(self, real: Embedder, texts: Iterable[str], vectors: np.ndarray, sigma: float) -> None:
        self.real = real
        self.model_path = real.model_path
        self.batch_size = real.batch_size
        self.backend = real.backend
        self.kind = real.kind
        self.sigma = sigma
        self.table: dict[tuple[str, ...], tuple[str, int]] = {}
        for row, text in enumerate(texts):
            self.table.setdefault(key(text), (text, row))
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.derived = 0
        self.pooled = 0  # of the derived, how many as the mean of their sentences'
        self.encoded = 0

    @property
    def model(self) -> object:
        return self.real.model

    @property
    def dimension(self) -> int:
        return int(self.vectors.shape[1])

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        missing = []
        for i, text in enumerate(texts):
            match = self.table.get(key(text))
            if match is not None:
                out[i] = self._derive(text, *match)
                continue
            pooled = self._pooled(text)
            if pooled is None:
                missing.append(i)
            else:
                out[i] = pooled
                self.pooled += 1
        if missing:
            out[missing] = self.real.encode([texts[i] for i in missing], progress)
        self.derived += len(texts) - len(missing)
        self.encoded += len(missing)
        return out

    def _pooled(self, text: str) -> np.ndarray | None:
        """A window of sentences no x1 text had: the mean of its sentences' derived vectors."""
        parts = [text[a:b] for a, b in sentences(text)]
        found = [self._derive(p, *m) for p in parts if (m := self.table.get(key(p))) is not None]
        if len(found) < max(1, len(parts) // 2):
            return None
        mean = np.mean(found, axis=0)
        return mean / np.linalg.norm(mean)

    def _derive(self, text: str, original: str, row: int) -> np.ndarray:
        vector = self.vectors[row]
        if text == original:
            return vector
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
        noisy = vector + np.random.default_rng(seed).normal(0.0, self.sigma, vector.shape).astype(np.float32)
        return noisy / np.linalg.norm(noisy)
