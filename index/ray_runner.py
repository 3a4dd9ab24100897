"""Ingest work on a Ray cluster: a Ray task parses each file, and actors that each load the
embedding model once encode the new texts in batches.

The driver (`python -m qa ingest --ray ADDRESS`) still plans the ingest and writes the one
build, so what is skipped, re-read and removed follows the local rules exactly. Every node needs
Clerk installed (the same version as the driver) and must see the files and the model folder at
the paths the driver sees them: a task reads a file where the driver found it and first checks
that it hashes to what the driver planned. This is the only module that imports Ray.
"""

from __future__ import annotations

import logging
import math
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import ray
from ray.exceptions import RayError, WorkerCrashedError
from ray.util import ActorPool

from corpus.errors import ClusterError, ReadError
from corpus.ingest import Outcome, read_outcome, sha256_of
from index.embedder import Embedder, unique_texts
from index.reading import Job, Result

log = logging.getLogger(__name__)
# Texts per encode call: enough to amortise the round trip, few enough to keep every actor busy.
BATCH_TEXTS = 256
# Parsing tasks in flight per CPU of the cluster: the driver never holds many more results.
IN_FLIGHT_PER_CPU = 4
CONNECT_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class ModelConfig:
    """What a worker needs to load the driver's model itself: the same folder and backend."""

    model_path: str
    backend: str
    batch_size: int
    cache_dir: Path | None  # None: the node's own default cache (CLERK_EMBED_CACHE there, or ~/.cache)

    @classmethod
    def of(cls, embedder: Embedder, cache_dir: Path | None) -> ModelConfig:
        return cls(embedder.model_path, embedder.backend, embedder.batch_size, cache_dir)

    def embedder(self, threads: int) -> Embedder:
        return Embedder(self.model_path, self.batch_size, self.backend, self.cache_dir, threads=threads)


class TextEncoder:
    """The state of one Ray actor: the model, loaded once when the actor starts."""

    def __init__(self, config: ModelConfig, threads: int) -> None:
        self.embedder = config.embedder(threads)
        self.dimension = self.embedder.dimension  # loads the model now, not on the first batch

    def ready(self) -> int:
        return self.dimension

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.embedder.encode(texts)


def read_on_node(job: Job, max_bytes: int) -> Result:
    """Parse one file on whichever node the task landed: the file the driver hashed, or a reason."""
    where = f"on Ray node {ray.util.get_node_ip_address()}"
    if not job.path.is_file():
        return _failed(job, f"not found {where}: every node must see the files at the driver's path "
                            "(or it was deleted during the ingest)")
    try:
        same = sha256_of(job.path) == job.sha256
    except ReadError as exc:
        return _failed(job, f"{exc} ({where})")
    if not same:
        return _failed(job, f"differs {where} from the file the driver hashed (changed during the ingest, "
                            "or another copy)")
    return read_outcome(job.path, job.root, job.sha256, max_bytes)


def _failed(job: Job, reason: str) -> Result:
    return Outcome(str(job.path), "failed", reason), None


class RayRunner:
    """Parses and embeds on a connected Ray cluster, one CPU per task and per encoding actor."""

    def __init__(self, embedder: Embedder, config: ModelConfig, cpus: int, nodes: int) -> None:
        self.embedder = embedder  # the driver's: it splits the work, the actors load their own
        self.config = config
        self.cpus = cpus
        self.nodes = nodes
        self._read_task = ray.remote(num_cpus=1, max_retries=1)(read_on_node)
        self._actors: list[Any] = []

    @classmethod
    def connect(cls, address: str, embedder: Embedder, cache_dir: Path | None) -> RayRunner:
        """Join the cluster at `address` (the head's host:port, or "auto") as its driver."""
        if address != "auto":
            _probe(address)
        try:
            ray.init(address=address, logging_level=logging.WARNING)
        except Exception as exc:  # noqa: BLE001 - ConnectionError, a version mismatch, ...: all mean "not here"
            raise ClusterError(f"cannot join the Ray cluster at {address}: {_reason(exc)}") from exc
        cpus = int(ray.cluster_resources().get("CPU", 0))
        nodes = sum(1 for node in ray.nodes() if node.get("Alive"))
        if cpus < 1:
            ray.shutdown()
            raise ClusterError(f"the Ray cluster at {address} has no CPUs to work on (its nodes were started "
                               "with --num-cpus 0?)")
        return cls(embedder, ModelConfig.of(embedder, cache_dir), cpus, nodes)

    def describe(self) -> str:
        return f"{self.nodes} node{'s' * (self.nodes != 1)}, {self.cpus} CPU{'s' * (self.cpus != 1)}"

    def read(self, jobs: list[Job], max_bytes: int) -> Iterator[Result]:
        """A task per file, a bounded number in flight, results in the order they finish."""
        self._release()  # encoding actors would hold the CPUs the tasks wait for
        waiting = list(reversed(jobs))
        running: dict[Any, Job] = {}
        while waiting or running:
            while waiting and len(running) < self.cpus * IN_FLIGHT_PER_CPU:
                job = waiting.pop()
                running[self._read_task.remote(job, max_bytes)] = job
            done, _ = ray.wait(list(running), num_returns=1)
            yield _result(done[0], running.pop(done[0]))

    def load(self) -> None:
        """One encoding actor per CPU, each with its own copy of the model, waited for."""
        if self._actors:
            return
        actor = ray.remote(num_cpus=1)(TextEncoder)
        self._actors = [actor.remote(self.config, 1) for _ in range(self.cpus)]  # type: ignore[attr-defined]
        try:
            ray.get([a.ready.remote() for a in self._actors])
        except RayError as exc:
            raise ClusterError(f"the Ray workers could not load the embedding model {self.config.model_path}: "
                               f"{_reason(exc)}") from exc

    def encode(self, texts: list[str], progress: bool) -> np.ndarray:
        """The unique texts in batches spread over the actors, back in the order asked; then the
        actors go, giving their CPUs back to the cluster (and to the next ingest's parsing)."""
        self.load()
        try:
            return self._encode(texts, progress)
        finally:
            self._release()

    def _encode(self, texts: list[str], progress: bool) -> np.ndarray:
        unique, inverse = unique_texts(texts)
        size = max(1, min(BATCH_TEXTS, math.ceil(len(unique) / len(self._actors))))
        # Groups batched as one local call batches them: the vectors do not depend on the cluster.
        groups = self.embedder.groups(unique, size)
        pool = ActorPool(self._actors)
        calls = pool.map(lambda actor, rows: actor.encode.remote([unique[r] for r in rows]), groups)
        try:
            parts = list(_progress(calls, len(groups), progress))
        except RayError as exc:
            raise ClusterError(f"embedding on the Ray cluster failed: {_reason(exc)}") from exc
        vectors = np.empty((len(unique), parts[0].shape[1]), dtype=np.float32)
        vectors[np.concatenate(groups)] = np.concatenate(parts)
        return np.ascontiguousarray(vectors[inverse])

    def close(self) -> None:
        self._release()
        ray.shutdown()

    def _release(self) -> None:
        for actor in self._actors:
            ray.kill(actor)
        self._actors = []

    def __enter__(self) -> RayRunner:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def _result(ref: Any, job: Job) -> Result:
    try:
        result: Result = ray.get(ref)
    except WorkerCrashedError:
        log.warning("a Ray worker died parsing %s, twice", job.path)
        return _failed(job, "the parser crashed on this file (damaged PDF?)")
    except RayError as exc:
        return _failed(job, f"the Ray task failed: {_reason(exc)}")
    return result


def _probe(address: str) -> None:
    """Fail in seconds, not minutes, when nothing listens at host:port (ray.init retries for long)."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ClusterError(f"--ray takes the head node's HOST:PORT (as `ray start --head --port PORT` "
                           f"printed it) or auto, not {address!r}")
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise ClusterError(f"no Ray cluster answers at {address} ({exc.strerror or exc}); start one with "
                           f"`ray start --head --port {port}` or check the address") from exc


def _reason(exc: BaseException) -> str:
    """The last line of an error: a remote traceback ends with the exception that counts."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__


def _progress(items: Iterator[np.ndarray], total: int, show: bool) -> Iterator[np.ndarray]:
    from tqdm import tqdm

    yield from tqdm(items, total=total, desc="embedding", unit="batch", leave=False, disable=not show)
