"""Embedding speed of the backends on the same texts, interleaved round by round so load from other
processes falls on all of them alike: bulk texts/s, and single-query encode latency by thread count."""

from __future__ import annotations

import functools
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.measure import latency, timed_calls
from index.embedder import Embedder


def throughput(model_path: str, texts: Sequence[str], backends: Sequence[str], rounds: int,
               cache: Path | None) -> dict[str, Any]:
    """Texts per second of each backend (median of `rounds`), and its min cosine to torch's vectors."""
    embedders = {b: Embedder(model_path, backend=b, cache_dir=cache) for b in backends}
    for embedder in embedders.values():
        embedder.encode(list(texts[:8]))  # load and warm up outside the timing
    runs: dict[str, list[float]] = {b: [] for b in backends}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(rounds):
        for name, embedder in embedders.items():
            t0 = time.perf_counter()
            vectors[name] = embedder.encode(list(texts))
            runs[name].append(len(texts) / (time.perf_counter() - t0))
    out: dict[str, Any] = {}
    reference = vectors.get("torch")
    for name in backends:
        cosine = float((vectors[name] * reference).sum(axis=1).min()) if reference is not None else None
        out[name] = {"texts_per_s": statistics.median(runs[name]), "runs": runs[name], "min_cos_to_torch": cosine}
    if "torch" in out:
        for name in backends:
            out[name]["x_torch"] = out[name]["texts_per_s"] / out["torch"]["texts_per_s"]
    return out


def _encode_one(embedder: Embedder, question: str) -> np.ndarray:
    return embedder.encode([question])


def query_encode(model_path: str, questions: Sequence[str], backends: Sequence[str], cache: Path | None,
                 thread_counts: Sequence[int] = (1, 2), rounds: int = 3) -> dict[str, Any]:
    """Single-question encode latency for each backend and query thread count, interleaved."""
    embedders = {(b, t): Embedder(model_path, backend=b, cache_dir=cache, query_threads=t)
                 for b in backends for t in thread_counts}
    samples: dict[tuple[str, int], list[float]] = {key: [] for key in embedders}
    for embedder in embedders.values():
        embedder.encode(["warm-up"])
    for _ in range(rounds):
        for key, embedder in embedders.items():
            samples[key] += timed_calls(functools.partial(_encode_one, embedder), questions)
    return {f"{b} threads={t}": latency(samples[(b, t)]) for b, t in embedders}
