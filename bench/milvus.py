"""Clerk on Milvus: sync rate, warm latency of search and ask against the builtin backend in the
same run, bytes per chunk in the collections, and the 50 M chunk sizing that follows from them.

    .venv/bin/python bench/milvus.py [--index var/index] [--rounds 3] [--uri URI]

By default the build of --index is synced into a fresh milvus-lite file under a temporary folder
(removed after); --uri measures a running Milvus instead (a cluster, or `milvus-lite server`).
Prints markdown tables and writes bench/results/milvus.json. Nothing here is asserted.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.measure import disk_mb, latency, timed_calls  # noqa: E402
from bench.sizing import Costs, sizing_lines  # noqa: E402
from eval.questions import expand_paths, load_questions  # noqa: E402
from index.milvus import MilvusStore  # noqa: E402
from index.milvus_rows import text_rows, vector_rows  # noqa: E402
from index.milvus_sync import sync  # noqa: E402
from index.store import IndexStore  # noqa: E402
from qa.assistant import Assistant, embedder_for  # noqa: E402
from qa.settings import Settings  # noqa: E402

DEFAULT_QUESTIONS = str(ROOT.parent / "shared/dev/*.jsonl")
RESULTS = ROOT / "bench/results/milvus.json"


def timings(assistant: Assistant, questions: list[str], rounds: int) -> dict[str, Any]:
    """p50/p95 of warm search (hybrid, k=5) and ask, over every question `rounds` times."""
    for question in questions:  # warm: query vectors cached, collections loaded, pages mapped
        assistant.search(question, 5)
    out = {}
    for name, call in (("search", lambda q: assistant.search(q, 5)), ("ask", assistant.ask)):
        samples: list[float] = []
        for _ in range(rounds):
            samples += timed_calls(call, questions)
        out[name] = latency(samples)
    return out


def costs(index: Any, folder: Path | None) -> Costs:
    """Per-chunk costs measured on this build: vectors, BM25 tokens, the rows' scalar bytes, and
    (milvus-lite only) the bytes the collections take on disk."""
    chunks = len(index.chunks)
    texts = [r for level in ("public", "exempt") for r in text_rows(index, level)]
    vectors = sum(1 for _ in vector_rows(index))
    tokens = sum(len(r.text.split()) for r in texts)
    distinct = sum(len(set(r.text.split())) for r in texts)
    scalars = sum(len(r.id) + 16 + sum(len(v) for v in r.fields.as_dict().values()) for r in texts)
    on_disk = disk_mb(folder) * 2**20 / chunks if folder is not None else None
    return Costs(chunks=chunks, vectors_per_chunk=vectors / chunks, dimension=int(index.vectors.shape[1]),
                 tokens_per_chunk=tokens / chunks, terms_per_chunk=distinct / chunks,
                 text_bytes_per_chunk=sum(len(r.text) for r in texts) / chunks,
                 scalar_bytes_per_row=scalars / chunks, disk_bytes_per_chunk=on_disk)


def table(rows: list[list[str]]) -> str:
    head, *body = rows
    return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
                     + ["| " + " | ".join(r) + " |" for r in body])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=ROOT / "var/index")
    parser.add_argument("--questions", default=DEFAULT_QUESTIONS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--uri", default="", help="a running Milvus (default: a fresh milvus-lite file)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    questions = [q.question for q in load_questions(expand_paths([args.questions]))]
    with tempfile.TemporaryDirectory(prefix="clerk-milvus-bench-") as work:
        uri = args.uri or str(Path(work) / "milvus.db")
        base = Settings.from_env(index_dir=args.index)
        milvus_settings = base.with_(backend="milvus", milvus_uri=uri, milvus_prefix="clerk_bench")
        index = IndexStore(args.index).load(base.model)
        store = MilvusStore(*milvus_settings.milvus_target)
        t0 = time.perf_counter()
        report = sync(store, index, rebuild=True)
        sync_s = time.perf_counter() - t0
        store.close()
        embedder = embedder_for(base)
        builtin = Assistant(index, embedder, base)
        milvus = Assistant(index, embedder, milvus_settings)
        measured = {"builtin": timings(builtin, questions, args.rounds),
                    "milvus": timings(milvus, questions, args.rounds)}
        found = costs(index, None if args.uri else Path(uri))
    result = {"index": str(args.index), "uri": "milvus-lite file" if not args.uri else args.uri,
              "chunks": len(index.chunks), "questions": len(questions), "rounds": args.rounds,
              "sync": {"seconds": sync_s, "rows": report.upserted, "rows_per_s": report.upserted / sync_s},
              "latency_ms": measured, "costs": found.__dict__}
    print(f"## Clerk on Milvus ({result['uri']}): {len(index.chunks)} chunks, {len(questions)} questions "
          f"x {args.rounds} rounds\n")
    print(f"sync: {report.upserted} rows in {sync_s:.1f} s ({report.upserted / sync_s:.0f} rows/s)\n")
    rows = [["call", "builtin p50", "builtin p95", "milvus p50", "milvus p95", "p50 ratio", "p95 ratio"]]
    for call in ("search", "ask"):
        b, m = measured["builtin"][call], measured["milvus"][call]
        rows.append([call, f"{b['p50']:.1f} ms", f"{b['p95']:.1f} ms", f"{m['p50']:.1f} ms", f"{m['p95']:.1f} ms",
                     f"x{m['p50'] / b['p50']:.2f}", f"x{m['p95'] / b['p95']:.2f}"])
    print(table(rows) + "\n")
    print("\n".join(sizing_lines(found)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
