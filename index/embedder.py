"""Sentence embeddings from a local sentence-transformers model folder (never a download)."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

import numpy as np

from corpus.errors import IndexMismatch

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)


class Embedder:
    """Encodes texts to L2-normalised float32 vectors, so inner product is cosine."""

    def __init__(self, model_path: str, batch_size: int = 32) -> None:
        self.model_path = model_path
        self.batch_size = batch_size
        self._model: SentenceTransformer | None = None

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            try:
                self._model = SentenceTransformer(self.model_path, device="cpu")
            except OSError as exc:
                raise IndexMismatch(f"cannot load embedding model {self.model_path!r}: {exc}") from exc
        return self._model

    @property
    def dimension(self) -> int:
        model = self.model
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter() or 0)

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True,
            show_progress_bar=progress, convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32)
