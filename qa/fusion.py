"""Combining ranked lists: score-normalised weighted fusion (and RRF for comparison)."""

from __future__ import annotations

import numpy as np


def minmax(scores: np.ndarray) -> np.ndarray:
    """Scale to [0, 1]; an all-equal list becomes all zeros (it carries no preference)."""
    if not len(scores):
        return scores
    low, high = float(scores.min()), float(scores.max())
    if high - low < 1e-9:
        return np.zeros_like(scores)
    return (scores - low) / (high - low)


def weighted(runs: list[tuple[dict[int, float], float]]) -> dict[int, float]:
    """Sum of min-max normalised scores times each run's weight; a missing row scores 0 in that run."""
    fused: dict[int, float] = {}
    for run, weight in runs:
        if not run:
            continue
        rows = np.fromiter(run.keys(), dtype=np.int64)
        norm = minmax(np.fromiter(run.values(), dtype=np.float64))
        for row, value in zip(rows.tolist(), norm.tolist()):
            fused[row] = fused.get(row, 0.0) + weight * value
    return fused


def rrf(runs: list[dict[int, float]], k: int = 60) -> dict[int, float]:
    """Reciprocal rank fusion, kept to measure the weighted method against."""
    fused: dict[int, float] = {}
    for run in runs:
        for rank, row in enumerate(sorted(run, key=run.__getitem__, reverse=True), 1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (k + rank)
    return fused
