"""Clerk benchmark: ingest time, warm query latency (in-process and over HTTP), a rank-bm25 baseline,
peak RSS and index size. Prints a markdown table and writes bench/results/latest.json.

    .venv/bin/python bench/run.py [--questions GLOB] [--skip-ingest --index DIR] [--keep-index]

Ingest runs into a fresh temporary index folder (removed afterwards unless --keep-index). The HTTP
server listens on 127.0.0.1 only, on a free port, and stops by itself.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse
import functools
import glob
import json
import math
import re
import resource
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx
import numpy as np
import uvicorn
from rank_bm25 import BM25Okapi  # type: ignore[import-untyped]

from corpus.errors import ClerkError
from index.builder import Builder
from index.embedder import Embedder
from index.store import IndexStore
from qa.assistant import Assistant
from qa.retrieval import MODES
from qa.settings import Settings
from web.app import create_app

DEFAULT_QUESTIONS = str(ROOT.parent / "shared/dev/*.jsonl")
RESULTS = ROOT / "bench/results/latest.json"
HTTP_MAX = 500  # upper bound on HTTP requests, whatever the question set holds
WARMUP = 3


def latency(samples_ms: list[float]) -> dict[str, float]:
    """p50 / p95 / mean of a list of milliseconds (nearest-rank percentiles)."""
    if not samples_ms:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "mean": float("nan")}
    ordered = sorted(samples_ms)

    def pct(p: float) -> float:
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    return {"n": len(ordered), "p50": pct(50), "p95": pct(95), "mean": statistics.fmean(ordered)}


def load_questions(pattern: str) -> list[str]:
    """The "question" field of every JSON line in the files matching `pattern`."""
    questions: list[str] = []
    for path in sorted(glob.glob(pattern)):
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                question = json.loads(line).get("question")
                if isinstance(question, str) and question.strip():
                    questions.append(question)
    return questions


def ingest(settings: Settings, embedder: Embedder) -> dict[str, Any]:
    """One ingest of the papers folder, the way `python -m qa ingest` does it."""
    papers = settings.papers_dir if settings.papers_dir.is_absolute() else ROOT / settings.papers_dir
    builder = Builder(IndexStore(settings.index_dir), embedder, int(settings.max_file_mb * 2**20))
    t0 = time.perf_counter()
    report = builder.ingest([papers])
    wall = time.perf_counter() - t0
    return {"wall_s": wall, "seconds": dict(report.seconds), "documents": report.documents,
            "chunks": report.chunks, "embedded": report.embedded, "failed": len(report.failed),
            "chunks_per_s": report.chunks / wall if wall else float("nan")}


def timed(fn: Callable[[str], object], questions: list[str]) -> tuple[list[float], int]:
    """Milliseconds per call of fn(question); errors are counted, not timed."""
    samples: list[float] = []
    errors = 0
    for question in questions:
        t0 = time.perf_counter()
        try:
            fn(question)
        except ClerkError:
            errors += 1
            continue
        samples.append((time.perf_counter() - t0) * 1000.0)
    return samples, errors


def ask_in(assistant: Assistant, mode: str, question: str) -> object:
    return assistant.ask(question, mode=mode)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_bench(settings: Settings, assistant: Assistant, questions: list[str]) -> dict[str, Any]:
    """POST /api/ask for each question against an in-thread uvicorn on loopback."""
    port = free_port()
    config = uvicorn.Config(create_app(settings, assistant), host="127.0.0.1", port=port,
                            log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="bench-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    samples: list[float] = []
    statuses: dict[int, int] = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30.0) as client:
            for question in questions[:WARMUP]:
                client.post("/api/ask", json={"question": question})
            for question in questions[:HTTP_MAX]:
                t0 = time.perf_counter()
                response = client.post("/api/ask", json={"question": question})
                samples.append((time.perf_counter() - t0) * 1000.0)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    return {**latency(samples), "statuses": statuses}


def rank_bm25_bench(assistant: Assistant, questions: list[str], k: int) -> dict[str, Any]:
    """A naive rank-bm25 BM25Okapi over the same chunk texts: build time and top-k query latency."""
    def tokens(text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())

    t0 = time.perf_counter()
    bm25 = BM25Okapi([tokens(c.text) for c in assistant.index.chunks])
    build = time.perf_counter() - t0

    def query(question: str) -> object:
        scores = bm25.get_scores(tokens(question))
        return np.argsort(scores)[::-1][:k]

    samples, _ = timed(query, questions)
    return {**latency(samples), "build_s": build}


def disk_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def table(rows: list[tuple[str, str]]) -> str:
    lines = ["| metric | value |", "| --- | --- |"]
    return "\n".join(lines + [f"| {name} | {value} |" for name, value in rows])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", default=DEFAULT_QUESTIONS, help="glob of question JSONL files")
    parser.add_argument("--skip-ingest", action="store_true", help="reuse --index instead of ingesting")
    parser.add_argument("--index", type=Path, help="index folder to reuse (with --skip-ingest)")
    parser.add_argument("--keep-index", action="store_true", help="keep the temporary index folder")
    args = parser.parse_args(argv)
    if args.skip_ingest and args.index is None:
        parser.error("--skip-ingest needs --index DIR")
    questions = load_questions(args.questions)
    if not questions:
        parser.error(f"no questions in {args.questions}")

    temp = None if args.skip_ingest else Path(tempfile.mkdtemp(prefix="clerk-bench-"))
    settings = Settings.from_env(index_dir=args.index if args.skip_ingest else temp)
    result: dict[str, Any] = {"questions": len(questions), "questions_glob": args.questions,
                              "index_dir": str(settings.index_dir), "model": settings.model}
    rows: list[tuple[str, str]] = [("questions", str(len(questions)))]
    result["loadavg_start"] = os.getloadavg()
    try:
        embedder = Embedder(settings.model, settings.embed_batch)
        t0 = time.perf_counter()
        embedder.model  # noqa: B018 - load once, so "embed" below is encoding only
        result["model_load_s"] = time.perf_counter() - t0
        rows.append(("model load s", f"{result['model_load_s']:.2f}"))
        if not args.skip_ingest:
            first, again = ingest(settings, embedder), ingest(settings, embedder)
            result["ingest"], result["reingest"] = first, again
            for label, run in (("ingest", first), ("re-ingest (unchanged)", again)):
                stages = " ".join(f"{k}={v:.2f}" for k, v in run["seconds"].items())
                rows.append((f"{label} s", f"{run['wall_s']:.2f} ({stages})"))
                rows.append((f"{label} chunks / embedded / chunks/s",
                             f"{run['chunks']} / {run['embedded']} / {run['chunks_per_s']:.1f}"))

        t0 = time.perf_counter()
        assistant = Assistant(IndexStore(settings.index_dir).load(settings.model), embedder, settings)
        result["index_load_s"] = time.perf_counter() - t0
        rows.append(("index load s", f"{result['index_load_s']:.2f}"))
        for question in questions[:WARMUP]:
            assistant.ask(question)

        result["modes"] = {}
        for mode in MODES:
            samples, errors = timed(functools.partial(ask_in, assistant, mode), questions)
            result["modes"][mode] = {**latency(samples), "errors": errors}
            s = result["modes"][mode]
            rows.append((f"ask {mode} ms p50 / p95 / mean",
                         f"{s['p50']:.1f} / {s['p95']:.1f} / {s['mean']:.1f}" + (f" ({errors} errors)" if errors else "")))

        result["http"] = http_bench(settings, assistant, questions)
        h = result["http"]
        rows.append(("HTTP /api/ask ms p50 / p95 / mean",
                     f"{h['p50']:.1f} / {h['p95']:.1f} / {h['mean']:.1f} (n={h['n']}, status {h['statuses']})"))

        base = result["rank_bm25"] = rank_bm25_bench(assistant, questions, settings.k)
        rows.append(("rank-bm25 baseline ms p50 / p95",
                     f"{base['p50']:.2f} / {base['p95']:.2f} (build {base['build_s']:.2f} s)"))
        modes = result["modes"]
        result["ratios"] = {f"{m}_p50_over_rank_bm25_p50": modes[m]["p50"] / base["p50"]
                            for m in ("hybrid", "bm25") if m in modes and base["p50"]}
        for name, ratio in result["ratios"].items():
            rows.append((name.replace("_", " "), f"{ratio:.1f}x"))

        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        build = IndexStore(settings.index_dir).current()
        result["index_bytes"] = disk_size(settings.index_dir)
        result["build_bytes"] = disk_size(build) if build else 0
        import torch

        result["loadavg_end"] = os.getloadavg()
        result["torch_threads"] = torch.get_num_threads()
        rows.append(("load avg 1m start / end; torch threads",
                     f"{result['loadavg_start'][0]:.2f} / {result['loadavg_end'][0]:.2f}; {result['torch_threads']}"))
        rows.append(("peak RSS MB", f"{result['peak_rss_mb']:.0f}"))
        rows.append(("index on disk MB (folder / live build)",
                     f"{result['index_bytes'] / 2**20:.2f} / {result['build_bytes'] / 2**20:.2f}"))
    finally:
        if temp is not None and not args.keep_index:
            shutil.rmtree(temp, ignore_errors=True)

    print(table(rows))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
