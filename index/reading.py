"""Parsing the files an ingest must (re)read, one worker process per core.

Parsing and chunking are pure CPU work on one file at a time, so they run in a process pool;
results come back as each file finishes. Embedding stays in the main process, which holds the
model. A worker that dies (a crash inside a native PDF library) costs only its own file: the
files it took down with it are tried again one at a time. Workers start from a fork server, so
a script that calls the Builder needs the usual `if __name__ == "__main__":` guard (`python -m
qa` has it); without it parsing falls back to this process.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from corpus.ingest import Outcome, ParsedDocument, read_outcome

log = logging.getLogger(__name__)
Result = tuple[Outcome, ParsedDocument | None]


@dataclass(frozen=True)
class Job:
    """A file to parse, with the hash it was planned with and why it is read."""

    path: Path
    root: Path | None
    sha256: str
    why: str


def read_jobs(jobs: list[Job], max_bytes: int, workers: int) -> Iterator[Result]:
    """(outcome, document) per job, in the order they finish; in this process when one worker will do."""
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield read_outcome(job.path, job.root, job.sha256, max_bytes)
        return
    yield from _in_pool(jobs, max_bytes, workers)


def _context() -> multiprocessing.context.BaseContext:
    # Workers start from a fresh server process, not a fork of one that may hold torch threads.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["corpus.ingest"])
    return context


def _in_pool(jobs: list[Job], max_bytes: int, workers: int) -> Iterator[Result]:
    context = _context()
    broken: list[Job] = []
    pool = ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context)
    try:
        futures: dict[Future[Result], Job] = {
            pool.submit(read_outcome, job.path, job.root, job.sha256, max_bytes): job for job in jobs
        }
        for future in as_completed(futures):
            try:
                yield future.result()
            except BrokenProcessPool:
                broken.append(futures[future])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if len(broken) == len(jobs):
        # Not one worker finished a file: the pool cannot run here (a script without the
        # `if __name__ == "__main__":` guard, no /dev/shm, ...). Parse in this process instead.
        log.warning("parsing processes could not start; parsing %d files in this process", len(jobs))
        yield from read_jobs(jobs, max_bytes, workers=1)
        return
    for job in broken:
        yield _alone(job, max_bytes, context)


def _alone(job: Job, max_bytes: int, context: multiprocessing.context.BaseContext) -> Result:
    """Parse one file in a pool of its own, so a crash names the file that caused it."""
    log.warning("a parser process died; reading %s again on its own", job.path)
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        try:
            return pool.submit(read_outcome, job.path, job.root, job.sha256, max_bytes).result()
        except BrokenProcessPool:
            return Outcome(str(job.path), "failed", "the parser crashed on this file (damaged PDF?)"), None
