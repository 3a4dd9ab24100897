"""Markdown tables from a bench result (bench/results/latest.json)."""

from __future__ import annotations

from typing import Any


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def _scales(result: dict[str, Any]) -> list[str]:
    """"x1", "x10", ... in order of scale."""
    found = [k for k in result if k.startswith("x") and k[1:].isdigit() and isinstance(result[k], dict)]
    return sorted(found, key=lambda k: int(k[1:]))


def _f(value: Any, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def embedding_table(x1: dict[str, Any]) -> str:
    rows = []
    for name, e in x1.get("embedding", {}).items():
        full = x1.get("backends", {}).get(name, {})
        ingest = full.get("ingest", {})
        rows.append([name, _f(e["texts_per_s"]), _f(e.get("x_torch"), 2) + "x", _f(e.get("min_cos_to_torch"), 4),
                     _f(ingest.get("embedded_per_s")), _f(100 * full["recall_at_5"], 1) if "recall_at_5" in full else "–"])
    return _table(["backend", "texts/s (sample, median)", "vs torch", "min cos to torch",
                   "x1 full ingest vectors/s", "dev R@5 %"], rows)


def query_table(result: dict[str, Any]) -> str:
    rows = []
    for scale in _scales(result):
        queries = result.get(scale, {}).get("queries", {})
        base = queries.get("clerk", {}).get("p50")
        for name, q in queries.items():
            ratio = q["p50"] / base if base else None
            rows.append([scale, name, _f(q["p50"]), _f(q["p95"]), _f(q["p99"]), _f(100 * q["recall_at_5"]),
                         _f(ratio, 2) + "x"])
    return _table(["scale", "system", "p50 ms", "p95 ms", "p99 ms", "dev R@5 %", "p50 / Clerk's"], rows)


def scale_table(result: dict[str, Any]) -> str:
    rows = []
    for scale in _scales(result):
        s = result.get(scale)
        if not s:
            continue
        ingest, server = s["ingest"], s["server"]
        stages = " ".join(f"{k} {v:.1f}" for k, v in ingest["stages_s"].items())
        if ingest.get("hnsw_build_s"):
            stages += f" (HNSW {ingest['hnsw_build_s']:.1f})"
        changed = s.get("reingest_one_changed", {})
        one = f"{_f(changed.get('wall_s'))}" + (f" (HNSW {changed['hnsw_build_s']:.1f})" if changed.get("hnsw_build_s") else "")
        c1, c4 = server["http_c1"], server["http_c4"]
        rows.append([
            scale, str(ingest["chunks"]), str(s.get("vector_count", ingest["embedded"])), s.get("dense_kind", "exact"),
            f"{ingest['wall_s']:.1f} ({stages}); {_f(ingest['chunks_per_s'])} chunks/s",
            _f(s["reingest_unchanged"]["wall_s"]), one, f"{_f(s.get('build_mb'))} ({_f(s['disk_mb'])})",
            _f(server["ready_s"], 2), _f(server["rss_mb"], 0),
            f"{_f(c1['p50'])} / {_f(c1['p95'])} / {_f(c1['p99'])}", f"{_f(c4['p50'])}; {_f(c4['per_s'])} q/s",
            "yes" if server["torch_loaded_after"] else "no",
        ])
    return _table(["scale", "chunks", "vectors", "dense", "ingest s (stages)", "re-ingest unchanged s",
                   "one file changed s", "live build MB (folder)", "server ready s", "server peak RSS MB",
                   "HTTP c=1 p50/p95/p99 ms", "HTTP c=4 p50 ms; q/s", "torch in server"], rows)


def encode_table(x1: dict[str, Any]) -> str:
    rows = [[name, _f(q["p50"]), _f(q["p95"]), _f(q["p99"])] for name, q in x1.get("query_encode", {}).items()]
    return _table(["query encode", "p50 ms", "p95 ms", "p99 ms"], rows)


def tables(result: dict[str, Any]) -> str:
    x1 = result.get("x1", {})
    parts = [f"load average start {result.get('load_start')} end {result.get('load_end')}; "
             f"{result.get('cpus')} cores; {result.get('questions')} dev questions; wall {result.get('wall_s', 0):.0f} s"]
    if x1:
        parts += ["## Embedding (x1)", embedding_table(x1), "## Query encode (one question)", encode_table(x1)]
        torch_server = x1.get("server_torch")
        if torch_server:
            parts.append(f"server ready with torch backend: {torch_server['ready_s']:.2f} s "
                         f"({x1.get('default_backend', 'onnx')}: {x1['server']['ready_s']:.2f} s); "
                         f"peak RSS {torch_server['rss_mb']:.0f} MB")
        if "txtai" in x1:
            t = x1["txtai"]
            parts.append(f"txtai hybrid: index {t['build_s']:.1f} s for {t['units']} chunks, load {t['load_s']:.1f} s, "
                         f"{t['disk_mb']:.1f} MB")
    parts += ["## Queries, in-process (warm)", query_table(result), "## Scale", scale_table(result)]
    if "noise" in result:
        n = result["noise"]
        parts.append(f"derived vectors: noise sigma {n['sigma']:.4f} per component, from the median cosine "
                     f"{n['median_cos']:.3f} (min {n['min_cos']:.3f}) of {n['sample']} real encodings of copied texts")
    for scale in _scales(result)[1:]:
        v = result[scale]["vectors"]
        parts.append(f"{scale}: {v['derived']} vectors derived ({v.get('pooled', 0)} of them as the mean of their "
                     f"sentences'), {v['encoded_for_real']} encoded for real")
    return "\n\n".join(parts)
