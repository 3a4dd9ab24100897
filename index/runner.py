"""Where an ingest's heavy work runs: parsing the files and embedding the texts that are new.

The Builder decides what is read and what is embedded (the incremental part); a Runner only
does that work. `LocalRunner` parses in this machine's processes and embeds in this process;
`index.ray_runner.RayRunner` spreads the same two steps over a Ray cluster. Ray is imported
only by `ray_runner`, and only when it is asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from corpus.errors import ClusterError
from index.embedder import Embedder
from index.reading import Job, Result, read_jobs

if TYPE_CHECKING:
    from index.ray_runner import RayRunner


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


def ray_runner(address: str, embedder: Embedder, cache_dir: Path | None) -> RayRunner:
    """A runner on the Ray cluster at `address` (host:port, or "auto"), connected; ClusterError
    when Ray is not installed or no cluster answers there."""
    try:
        from index.ray_runner import RayRunner
    except ModuleNotFoundError as exc:
        if exc.name != "ray" and not (exc.name or "").startswith("ray."):
            raise
        raise ClusterError("Ray is not installed here: pip install 'clerk[ray]' (on every node of the cluster too)") from exc
    return RayRunner.connect(address, embedder, cache_dir)
