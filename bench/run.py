"""Clerk benchmark: ingest stages and chunks/s, embedding backends, warm query latency in-process and
over HTTP, server cold start, peak RSS, index size and dev Recall@5, at corpus scale x1, x10 and
x100, with txtai's hybrid index and rank-bm25 measured side by side. Prints markdown tables and
writes bench/results/latest.json.

    .venv/bin/python bench/run.py [--scales 1,10,100] [--rounds 3] [--no-torch-ingest] [--no-txtai]

Everything is built under a temporary folder (removed unless --keep). x1 is embedded for real.
x10/x100 are synthetic copies of the papers (bench/synth.py) whose vectors are derived from the
x1 vectors plus calibrated noise (bench/derived.py); texts with no x1 match are encoded for real.
Servers listen on 127.0.0.1 only, on free ports, and are stopped by the script.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import embedding, report  # noqa: E402
from bench.measure import Server, disk_mb, http_latency, latency, load, peak_rss_mb  # noqa: E402
from bench.quality import DevSet, Extract  # noqa: E402
from index import dense  # noqa: E402
from index.builder import Builder, vector_units  # noqa: E402
from index.embedder import Embedder  # noqa: E402
from index.store import Index, IndexStore  # noqa: E402
from qa.assistant import Assistant  # noqa: E402
from qa.settings import Settings  # noqa: E402

DEFAULT_QUESTIONS = str(ROOT.parent / "shared/dev/*.jsonl")
RESULTS = ROOT / "bench/results/latest.json"
K = 5


def ingest(index_dir: Path, papers: Path, embedder: Any) -> dict[str, Any]:
    """One ingest the way `python -m qa ingest` does it: wall time, stages, chunks/s, and how
    much of the index stage went into building an HNSW graph."""
    builder = Builder(IndexStore(index_dir), embedder, 100 * 2**20)
    graph_s: list[float] = []
    build_graph = dense.build_graph

    def timed_build(vectors: Any) -> Any:
        t0 = time.perf_counter()
        graph = build_graph(vectors)
        graph_s.append(time.perf_counter() - t0)
        return graph

    dense.build_graph = timed_build
    t0 = time.perf_counter()
    try:
        report_ = builder.ingest([papers])
    finally:
        dense.build_graph = build_graph
    wall = time.perf_counter() - t0
    assert not report_.failed, report_.failed
    return {"wall_s": wall, "stages_s": dict(report_.seconds), "documents": report_.documents,
            "chunks": report_.chunks, "embedded": report_.embedded,
            "chunks_per_s": report_.chunks / wall if wall else None, "hnsw_build_s": sum(graph_s),
            "embedded_per_s": report_.embedded / report_.seconds["embed"] if report_.seconds.get("embed") else None}


def change_one(path: Path, index_dir: Path, papers: Path, embedder: Any, scale: int = 1) -> dict[str, Any]:
    """Re-ingest after one paper gained a paragraph (new text at every scale: it is encoded for real)."""
    path.write_text(path.read_text(encoding="utf-8") + "\n\nAddendum: the committee noted a late report on "
                    f"school transport costs, which rose by {3 + scale}% in the year.\n", encoding="utf-8")
    return ingest(index_dir, papers, embedder)


def clerk_ranker(assistant: Assistant) -> Any:
    def rank(question: str, turns: list[Any]) -> list[Extract]:
        answer = assistant.ask(question, turns, k=K)
        return [(c.source, c.start, c.end) for c in answer.citations]
    return rank


def rows_ranker(index: Index, search: Any) -> Any:
    def rank(question: str, turns: list[Any]) -> list[Extract]:
        return [(index.chunks[r].source, index.chunks[r].start, index.chunks[r].end) for r in search(question, K)]
    return rank


def queries(dev: DevSet, systems: dict[str, Any], rounds: int) -> dict[str, Any]:
    """Every system answers every dev question `rounds` times, systems interleaved per round."""
    samples: dict[str, list[float]] = {name: [] for name in systems}
    recall: dict[str, float] = {}
    for _ in range(rounds):
        for name, rank in systems.items():
            scored = dev.score(rank)
            samples[name] += scored.latencies_ms
            recall.setdefault(name, scored.recall_at_5)
    return {name: {**latency(samples[name]), "recall_at_5": recall[name]} for name in systems}


def serve(index_dir: Path, questions: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Cold start to first answer, then HTTP latency at concurrency 1 and 4, then peak RSS."""
    with Server(index_dir, env) as server:
        out: dict[str, Any] = {"ready_s": server.ready_s, "torch_loaded": server.torch_loaded()}
        out["http_c1"] = http_latency(server.url, questions, 1)
        out["http_c4"] = http_latency(server.url, questions, 4)
        out["rss_mb"] = server.peak_rss_mb()
        out["torch_loaded_after"] = server.torch_loaded()
    return out


def scale_one(args: argparse.Namespace, work: Path, dev: DevSet, settings: Settings, result: dict[str, Any]) -> Index:
    """x1: real ingests (the default backend and the others), embedding speed, queries, peers, server."""
    from bench.synth import grow

    source = settings.papers_dir if settings.papers_dir.is_absolute() else ROOT / settings.papers_dir
    papers, x1 = work / "papers-x1", work / "x1"
    files = grow(source, papers, 1, [])  # a copy, so one file can be changed below
    default = settings.embed_backend
    clerk = Embedder(settings.model, settings.embed_batch, backend=default)
    t0 = time.perf_counter()
    clerk.model  # noqa: B018 - export (first time only) and load outside the ingest timing
    out: dict[str, Any] = {"model_load_s": time.perf_counter() - t0, "default_backend": default}
    out["ingest"] = ingest(x1, papers, clerk)
    out["reingest_unchanged"] = ingest(x1, papers, clerk)
    out["reingest_one_changed"] = change_one(files[-1], x1, papers, clerk)
    index = IndexStore(x1).load(settings.model)
    _, units = vector_units(index.chunks)
    sample = random.Random(0).sample(units, min(args.sample, len(units)))
    backends = ["torch", "onnx", "onnx-int8"]
    print(f"[{load()}] embedding throughput on {len(sample)} texts", flush=True)
    out["embedding"] = embedding.throughput(settings.model, sample, backends, args.rounds, None)
    out["query_encode"] = embedding.query_encode(settings.model, dev.texts(), backends, None)
    out["backends"] = {default: {"ingest": out["ingest"], "index": x1}}
    others = [b for b in backends if b != default and not (b == "torch" and args.no_torch_ingest)]
    for backend in others:
        print(f"[{load()}] x1 ingest with {backend}", flush=True)
        embedder = Embedder(settings.model, settings.embed_batch, backend=backend)
        embedder.model  # noqa: B018
        folder = work / f"x1-{backend}"
        out["backends"][backend] = {"ingest": ingest(folder, papers, embedder), "index": folder}
    for backend, entry in out["backends"].items():
        embedder = Embedder(settings.model, settings.embed_batch, backend=backend)
        assistant = Assistant(IndexStore(entry["index"]).load(settings.model), embedder, settings)
        entry["recall_at_5"] = dev.score(clerk_ranker(assistant)).recall_at_5
        entry["index"] = str(entry["index"])
    print(f"[{load()}] x1 queries and peers", flush=True)
    systems = {"clerk": clerk_ranker(Assistant(index, clerk, settings))}
    for backend in ("onnx", "onnx-int8"):
        if backend != default:
            other = IndexStore(Path(out["backends"][backend]["index"])).load(settings.model)
            systems[f"clerk {backend}"] = clerk_ranker(Assistant(other, Embedder(settings.model, backend=backend), settings))
    from bench.peers import RankBM25, Txtai

    bm25 = RankBM25(index.chunks)
    systems["rank-bm25"] = rows_ranker(index, bm25.search)
    out["rank_bm25_build_s"] = bm25.build_s
    peer = None
    if not args.no_txtai:
        peer = Txtai(index.chunks, settings.model)
        systems["txtai-hybrid"] = rows_ranker(index, peer.search)
        out["txtai"] = {"build_s": peer.build_s, "load_s": peer.load_s, "disk_mb": peer.disk_mb(),
                        "units": peer.units}
    out["queries"] = queries(dev, systems, args.rounds)
    if peer is not None:
        peer.close()
    out["disk_mb"], out["build_mb"] = disk_mb(x1), disk_mb(IndexStore(x1).current() or x1)
    print(f"[{load()}] x1 server", flush=True)
    out["server"] = serve(x1, dev.texts(), {"CLERK_EMBED_BACKEND": default})
    out["server_torch"] = serve(x1, dev.texts()[:20], {"CLERK_EMBED_BACKEND": "torch"})
    result["x1"] = out
    return index


def scale_n(scale: int, args: argparse.Namespace, work: Path, dev: DevSet, settings: Settings,
            x1: Index, result: dict[str, Any]) -> None:
    """A synthetic x`scale` corpus with derived vectors: ingest, re-ingest, one file changed, queries."""
    from bench.derived import DerivedEmbedder
    from bench.synth import grow

    papers = settings.papers_dir if settings.papers_dir.is_absolute() else ROOT / settings.papers_dir
    folder, index_dir = work / f"papers-x{scale}", work / f"x{scale}"
    committees = sorted({c.committee for c in x1.chunks if c.committee})
    files = grow(papers, folder, scale, committees)
    _, texts = vector_units(x1.chunks)
    clerk = Embedder(settings.model, settings.embed_batch, backend=settings.embed_backend)
    sigma = result.setdefault("noise", calibrate(texts, x1, clerk, committees))["sigma"]
    derived = DerivedEmbedder(clerk, texts, x1.vectors, sigma)
    print(f"[{load()}] x{scale}: ingest {len(files)} files", flush=True)
    out: dict[str, Any] = {"files": len(files), "ingest": ingest(index_dir, folder, derived)}
    out["vectors"] = {"derived": derived.derived, "pooled": derived.pooled, "encoded_for_real": derived.encoded}
    out["reingest_unchanged"] = ingest(index_dir, folder, derived)
    out["reingest_one_changed"] = change_one(files[-1], index_dir, folder, derived, scale)
    out["reingest_one_changed"]["encoded_for_real"] = derived.encoded - out["vectors"]["encoded_for_real"]
    index = IndexStore(index_dir).load(settings.model)
    out["dense_kind"] = index.dense.kind
    out["chunks"], out["vector_count"] = len(index.chunks), len(index.vectors)
    from bench.peers import RankBM25

    bm25 = RankBM25(index.chunks)
    out["rank_bm25_build_s"] = bm25.build_s
    systems = {"clerk": clerk_ranker(Assistant(index, clerk, settings)), "rank-bm25": rows_ranker(index, bm25.search)}
    print(f"[{load()}] x{scale}: queries", flush=True)
    out["queries"] = queries(dev, systems, args.rounds)
    del systems, bm25, index
    gc.collect()
    out["disk_mb"], out["build_mb"] = disk_mb(index_dir), disk_mb(IndexStore(index_dir).current() or index_dir)
    print(f"[{load()}] x{scale}: server", flush=True)
    out["server"] = serve(index_dir, dev.texts(), {"CLERK_EMBED_BACKEND": settings.embed_backend})
    result[f"x{scale}"] = out


def calibrate(texts: list[str], x1: Index, embedder: Embedder, committees: list[str], n: int = 64) -> dict[str, Any]:
    """Noise that makes a derived vector as far from its x1 vector as a real encoding of the copy is."""
    from bench.derived import sigma_for
    from bench.synth import transform

    rng = random.Random(1)
    rows: list[int] = []
    copies: list[str] = []
    for row in rng.sample(range(len(texts)), len(texts)):
        copy = transform(texts[row], 1 + len(rows) % 20, committees, random.Random(row))
        if copy != texts[row]:  # unchanged texts keep their x1 vector exactly
            rows.append(row)
            copies.append(copy)
        if len(rows) == n:
            break
    real = embedder.encode(copies)
    cosines = (real * x1.vectors[rows].astype("float32")).sum(axis=1)
    median = float(sorted(cosines)[len(cosines) // 2])
    return {"sample": len(rows), "median_cos": median, "min_cos": float(cosines.min()),
            "sigma": sigma_for(median, x1.vectors.shape[1])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", default=DEFAULT_QUESTIONS, help="glob of question JSONL files")
    parser.add_argument("--scales", default="1,10,100", help="comma-separated corpus multiples (1 always runs)")
    parser.add_argument("--rounds", type=int, default=3, help="repeats of every timed pass")
    parser.add_argument("--sample", type=int, default=384, help="texts for the embedding throughput test")
    parser.add_argument("--no-torch-ingest", action="store_true", help="skip the full x1 ingest with torch")
    parser.add_argument("--no-txtai", action="store_true", help="skip the txtai peer")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    work = Path(tempfile.mkdtemp(prefix="clerk-bench-"))
    result: dict[str, Any] = {"started": time.strftime("%Y-%m-%dT%H:%M:%S"), "load_start": load(),
                              "cpus": os.cpu_count(), "work": str(work)}
    t0 = time.perf_counter()
    try:
        papers = settings.papers_dir if settings.papers_dir.is_absolute() else ROOT / settings.papers_dir
        dev = DevSet(args.questions, lambda s: (papers / s).read_text(encoding="utf-8") if (papers / s).is_file() else None)
        result["questions"] = len(dev.questions)
        x1 = scale_one(args, work, dev, settings, result)
        for scale in sorted({int(s) for s in args.scales.split(",")} - {1}):
            scale_n(scale, args, work, dev, settings, x1, result)
    finally:
        result["load_end"], result["wall_s"] = load(), time.perf_counter() - t0
        result["bench_peak_rss_mb"] = peak_rss_mb()
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(report.tables(result))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
