"""Latency that a busy machine does not distort: each question's CPU time beside a fixed probe's.

Wall-clock time on a shared two-core machine swings several-fold with other people's work: the
dev set's median hybrid latency measured 13 ms, 98 ms and 600 ms on the same code within an hour,
and even its ratio to a probe timed right beside it moved between 1.05 and 2.5, because contention
slows thread pools and plain Python unequally. What stays put is CPU time on the answering thread:
a question's work runs on the calling thread (index/embedder.py encodes a query on one thread,
torch or ONNX), and `time.thread_time()` counts it whether or not the core was shared. Divided by
the CPU time of the probe (embedding one fixed sentence) before and after it, the median stayed
within 1.77-1.83 (ONNX) and 2.00-2.16 (torch) across quiet, busy-loop and oversubscribed runs;
with the int8 default it is about 2.5, its probe being three times cheaper.
The gate compares that ratio; reports also give wall-clock p50/p95. The ratio cannot see a slower
embedding model (both sides slow alike), nor work moved to other threads: the absolute figures
are there for that.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

PROBE_TEXT = "How many first-time entrants to the youth justice system were there in 2010-11?"
T = TypeVar("T")


@dataclass(frozen=True)
class Timed(Generic[T]):
    """The result of some work with the CPU milliseconds it took and the probe's beside it."""

    value: T
    cpu_ms: float | None
    probe_ms: float | None


def cpu_ms(work: Callable[[], Any]) -> float:
    """CPU milliseconds the calling thread spends on `work`."""
    started = time.thread_time()
    work()
    return (time.thread_time() - started) * 1000.0


class Probe:
    """Times one fixed unit of work, in CPU time: encoding PROBE_TEXT."""

    def __init__(self, encode: Callable[[list[str]], Any]) -> None:
        self._encode = encode

    def __call__(self) -> float:
        return cpu_ms(lambda: self._encode([PROBE_TEXT]))


def timed(probe: Callable[[], float] | None, work: Callable[[], T]) -> Timed[T]:
    """Run `work` between two probes (none without a probe) and time its CPU use."""
    if probe is None:
        return Timed(work(), None, None)
    before = probe()
    started = time.thread_time()
    value = work()
    spent = (time.thread_time() - started) * 1000.0
    return Timed(value, spent, (before + probe()) / 2)

