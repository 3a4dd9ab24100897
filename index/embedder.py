"""Sentence embeddings from a local sentence-transformers model folder (never a download), through
sentence-transformers (torch) or an ONNX Runtime export of the same model."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Union

import numpy as np

from corpus.errors import IndexMismatch
from index.onnx_backend import OnnxEncoder, UnsupportedModel, batch_groups

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)
BACKENDS = ("torch", "onnx", "onnx-int8")
DEFAULT_BACKEND = "onnx-int8"
# A call with at most this many texts is a query: it runs on one thread. Two threads on a
# shared 2-core machine turned a 12 ms query encode into 200-800 ms while other work ran.
QUERY_TEXTS = 4
Model = Union["SentenceTransformer", "OnnxEncoder"]


def default_cache() -> Path:
    """Where exported models are kept: $CLERK_EMBED_CACHE, else the user's cache folder."""
    if os.environ.get("CLERK_EMBED_CACHE"):
        return Path(os.environ["CLERK_EMBED_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "clerk"


def vector_kind(backend: str) -> str:
    """What a backend's vectors are: torch and onnx give the same ones (cosine > 0.999), int8 its own."""
    return "int8" if backend == "onnx-int8" else "fp32"


class Embedder:
    """Encodes texts to L2-normalised float32 vectors, so inner product is cosine.

    backend: "torch" (sentence-transformers), "onnx" (same vectors, no torch at query time) or
    "onnx-int8" (int8 weights, the default: about twice as fast, vectors within cosine 0.98 and
    the same dev Recall@5). None reads CLERK_EMBED_BACKEND. `kind` names the vectors the backend
    asked for makes, so an index and its queries can be kept to one kind.
    """

    def __init__(self, model_path: str, batch_size: int = 32, backend: str | None = None,
                 cache_dir: Path | None = None, threads: int | None = None, query_threads: int = 1) -> None:
        self.model_path = model_path
        self.batch_size = batch_size
        self.backend = backend or os.environ.get("CLERK_EMBED_BACKEND") or DEFAULT_BACKEND
        if self.backend not in BACKENDS:
            raise ValueError(f"embedding backend {self.backend!r} is not one of {', '.join(BACKENDS)}")
        self.kind = vector_kind(self.backend)  # fixed here: a fallback to torch does not change the key
        self.cache_dir = cache_dir or default_cache()
        self.threads = threads or os.cpu_count() or 1
        self.query_threads = query_threads
        self._model: Model | None = None

    def for_kind(self, kind: str | None) -> Embedder:
        """This embedder if it makes vectors of `kind`, else one for the same model that does:
        a question must be encoded the way its index was, whatever the settings now say
        (None: the index does not say, so this one)."""
        if kind == self.kind or kind not in {vector_kind(b) for b in BACKENDS}:
            return self
        backend = "onnx-int8" if kind == "int8" else "onnx"
        log.warning("the index holds %s vectors; questions are encoded with %s, not %s "
                    "(re-ingest to use %s)", kind, backend, self.backend, self.backend)
        return Embedder(self.model_path, self.batch_size, backend, self.cache_dir, self.threads, self.query_threads)

    @property
    def model(self) -> Model:
        """The loaded model (sentence-transformers or ONNX), loaded on first use."""
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            self._model = self._load_onnx() if self.backend != "torch" else None
            if self._model is None:
                self._model = self._load_torch()
        return self._model

    def _load_torch(self) -> SentenceTransformer:
        from sentence_transformers import SentenceTransformer

        try:
            return SentenceTransformer(self.model_path, device="cpu")
        except OSError as exc:
            raise IndexMismatch(f"cannot load embedding model {self.model_path!r}: {exc}") from exc

    def _load_onnx(self) -> OnnxEncoder | None:
        try:
            return OnnxEncoder(Path(self.model_path), self.cache_dir, quantized=self.backend == "onnx-int8")
        except UnsupportedModel as exc:
            log.warning("ONNX backend unavailable, using sentence-transformers: %s", exc)
            self.backend = "torch"
            return None

    @property
    def dimension(self) -> int:
        model = self.model
        if isinstance(model, OnnxEncoder):
            return model.spec.dimension
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter() or 0)

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """One unit vector per text, in order; repeated texts are encoded once."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        unique, inverse = unique_texts(texts)
        threads = self.query_threads if len(unique) <= QUERY_TEXTS else self.threads
        model = self.model
        if isinstance(model, OnnxEncoder):
            vectors = model.encode(unique, threads, progress)
        else:
            vectors = self._encode_torch(model, unique, threads, progress)
        return np.ascontiguousarray(vectors[inverse], dtype=np.float32)

    def groups(self, texts: list[str], size: int) -> list[np.ndarray]:
        """Rows of `texts` in groups of about `size`, each of which `encode` turns into the very
        vectors one call over all the texts would (ONNX: whole batches; torch: runs of rows,
        whose vectors do not depend on the batching beyond float rounding)."""
        if self.backend != "torch":
            try:
                return batch_groups(Path(self.model_path), texts, size)
            except UnsupportedModel:
                pass  # encode falls back to torch for this model too
        return [np.arange(i, min(i + size, len(texts))) for i in range(0, len(texts), size)]

    def _encode_torch(self, model: SentenceTransformer, texts: list[str], threads: int,
                      progress: bool) -> np.ndarray:
        import torch

        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        vectors = model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                               show_progress_bar=progress, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)


def unique_texts(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """Each text once, in first-seen order, and where each of `texts` is among them: the vectors
    of the unique texts, indexed by the second, are the vectors of all."""
    slots: dict[str, int] = {}
    inverse = np.fromiter((slots.setdefault(t, len(slots)) for t in texts), dtype=np.int64, count=len(texts))
    return list(slots), inverse
