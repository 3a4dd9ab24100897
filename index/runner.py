"""Where an ingest's heavy work runs: parsing the files and embedding the texts that are new.

The Builder decides what is read and what is embedded (the incremental part); a Runner only
does that work. `LocalRunner` parses in this machine's processes and embeds in this process.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import numpy as np

from index.embedder import Embedder
from index.reading import Job, Result, read_jobs


class Runner(Protocol):
    """Parses jobs and encodes texts; the Builder calls `read`, then `load` and `encode`."""

    def read(self, jobs: list[Job], max_bytes: int) -> Iterator[Result]:
        """(outcome, document) per job, in the order they finish."""
        ...

    def load(self) -> None:
        """Get the model ready to encode (timed on its own, as the "model" stage)."""
        ...

    def encode(self, texts: list[str], progress: bool) -> np.ndarray:
        """One float32 unit vector per text, in order."""
        ...


class LocalRunner:
    """This machine: `workers` parsing processes, the model in this process."""

    def __init__(self, embedder: Embedder, workers: int) -> None:
        self.embedder = embedder
        self.workers = workers

    def read(self, jobs: list[Job], max_bytes: int) -> Iterator[Result]:
        return read_jobs(jobs, max_bytes, self.workers)

    def load(self) -> None:
        _ = self.embedder.model

    def encode(self, texts: list[str], progress: bool) -> np.ndarray:
        return self.embedder.encode(texts, progress=progress)

