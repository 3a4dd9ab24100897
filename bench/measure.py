"""Measuring: percentiles, memory, disk, and a real server process (cold start, HTTP latency under
bounded concurrency on loopback, peak RSS, whether torch was loaded)."""

from __future__ import annotations

import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT = 120.0


def latency(samples_ms: Sequence[float]) -> dict[str, float]:
    """n, p50 / p95 / p99 and mean of milliseconds (nearest-rank percentiles)."""
    if not samples_ms:
        return {"n": 0, "p50": math.nan, "p95": math.nan, "p99": math.nan, "mean": math.nan}
    ordered = sorted(samples_ms)

    def pct(p: float) -> float:
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    return {"n": len(ordered), "p50": pct(50), "p95": pct(95), "p99": pct(99), "mean": statistics.fmean(ordered)}


def timed_calls(fn: Callable[[Any], object], items: Sequence[Any]) -> list[float]:
    """Milliseconds of fn(item) for each item."""
    samples = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        samples.append((time.perf_counter() - t0) * 1000.0)
    return samples


def peak_rss_mb(pid: int | None = None) -> float:
    """Peak resident memory (VmHWM) of a process, this one by default."""
    status = Path(f"/proc/{pid or 'self'}/status").read_text()
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return math.nan


def disk_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`bench/serve.py` (the app of `qa serve`, rate limits lifted) in a child process on loopback."""

    def __init__(self, index: Path, env: dict[str, str] | None = None) -> None:
        self.index = index
        self.port = free_port()
        self.env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self.ready_s = math.nan

    def __enter__(self) -> Server:
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench/serve.py"), "--index", str(self.index), "--port", str(self.port)],
            env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.ready_s = self._first_answer(started)
        return self

    def _first_answer(self, started: float) -> float:
        """Seconds from spawning the process to the first answered question."""
        deadline = started + READY_TIMEOUT
        with httpx.Client(base_url=self.url, timeout=30.0) as client:
            while time.perf_counter() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    err = self.process.stderr.read().decode() if self.process.stderr else ""
                    raise RuntimeError(f"server exited: {err[-2000:]}")
                try:
                    if client.post("/api/ask", json={"question": "What is NI 59?"}).status_code == 200:
                        return time.perf_counter() - started
                except httpx.TransportError:
                    pass
                time.sleep(0.02)
        raise RuntimeError("server gave no answer in time")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def torch_loaded(self) -> bool:
        """Whether the server process has torch's shared library mapped."""
        assert self.process is not None
        return "libtorch" in Path(f"/proc/{self.process.pid}/maps").read_text()

    def peak_rss_mb(self) -> float:
        assert self.process is not None
        return peak_rss_mb(self.process.pid)

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def http_latency(url: str, questions: Sequence[str], concurrency: int) -> dict[str, Any]:
    """POST /api/ask for every question, at most `concurrency` in flight; per-request ms and q/s."""
    statuses: dict[int, int] = {}

    def one(client: httpx.Client, question: str) -> float:
        t0 = time.perf_counter()
        response = client.post("/api/ask", json={"question": question})
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        return (time.perf_counter() - t0) * 1000.0

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    with httpx.Client(base_url=url, timeout=60.0, limits=limits) as client:
        for question in questions[:3]:
            one(client, question)
        statuses.clear()
        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            samples = list(pool.map(lambda q: one(client, q), questions))
        wall = time.perf_counter() - t0
    return {**latency(samples), "concurrency": concurrency, "per_s": len(samples) / wall, "statuses": statuses}
