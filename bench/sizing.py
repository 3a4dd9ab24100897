"""A written sizing of Clerk's Milvus collections for a large archive, from per-chunk costs
measured on a real build (bench/milvus.py measures them). Pure arithmetic, every assumption named.

Memory a query node holds per chunk, per replica:
- vectors: vectors_per_chunk x (bytes of one vector in the index + HNSW links, M=32: 2M links of
  4 bytes on the base layer), float32 (HNSW) or 8-bit (HNSW_SQ);
- BM25: each distinct term of a chunk is one posting (4-byte row + 4-byte weight) in the sparse
  inverted index and one (4-byte term + 4-byte weight) pair of the stored sparse vector;
- the token text (VARCHAR the BM25 function reads) and the scalar fields of the text row and of
  every vector row (ids, signature, access, committee, kind, date).
Growing segments, index builds and compaction need headroom: HEADROOM on top.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

HNSW_M = 32
LINK_BYTES = 2 * HNSW_M * 4
POSTING_BYTES = 8 + 8
HEADROOM = 1.3
NODE_GB = 64  # a query node's memory
NODE_USABLE = 0.7  # of which the loaded segments may take
SEGMENT_GB = 1.0  # Milvus's default sealed segment size
TARGET = 50_000_000
REPLICAS = 2  # two copies in memory: a node can fail, and queries spread over both


@dataclass(frozen=True)
class Costs:
    chunks: int
    vectors_per_chunk: float
    dimension: int
    tokens_per_chunk: float
    terms_per_chunk: float
    text_bytes_per_chunk: float
    scalar_bytes_per_row: float
    disk_bytes_per_chunk: float | None = None


def vector_bytes(costs: Costs, bytes_per_value: int) -> float:
    return costs.vectors_per_chunk * (costs.dimension * bytes_per_value + LINK_BYTES)


def bm25_bytes(costs: Costs) -> float:
    return costs.terms_per_chunk * POSTING_BYTES


def row_bytes(costs: Costs) -> float:
    """Token text plus the scalar fields of the text row and of each vector row."""
    return costs.text_bytes_per_chunk + costs.scalar_bytes_per_row * (1 + costs.vectors_per_chunk)


def per_chunk(costs: Costs, bytes_per_value: int) -> float:
    return vector_bytes(costs, bytes_per_value) + bm25_bytes(costs) + row_bytes(costs)


def nodes(total_gb: float) -> int:
    return max(1, math.ceil(total_gb / (NODE_GB * NODE_USABLE)))


def sizing_lines(costs: Costs, target: int = TARGET) -> list[str]:
    gb = 1e9
    lines = [f"### Per chunk, measured on {costs.chunks} chunks",
             "",
             f"- vectors per chunk {costs.vectors_per_chunk:.2f} (the chunk's own and its sentences'), "
             f"dimension {costs.dimension}",
             f"- BM25 tokens per chunk {costs.tokens_per_chunk:.1f}, distinct {costs.terms_per_chunk:.1f}; "
             f"token text {costs.text_bytes_per_chunk:.0f} B; scalars {costs.scalar_bytes_per_row:.0f} B a row",
             f"- in memory: vectors {vector_bytes(costs, 4):.0f} B (HNSW) or {vector_bytes(costs, 1):.0f} B "
             f"(HNSW_SQ), BM25 {bm25_bytes(costs):.0f} B, rows {row_bytes(costs):.0f} B: "
             f"{per_chunk(costs, 4):.0f} B or {per_chunk(costs, 1):.0f} B a chunk"]
    if costs.disk_bytes_per_chunk is not None:
        lines.append(f"- on disk (milvus-lite: Parquet, WAL, indexes): {costs.disk_bytes_per_chunk:.0f} B a chunk")
    lines += ["", f"### Sizing for {target / 1e6:.0f} M chunks ({target * costs.vectors_per_chunk / 1e6:.0f} M vectors)", "",
              "| index | GB a replica (with headroom) | replicas | GB in all | query nodes of 64 GB | segments | shards |",
              "|---|---|---|---|---|---|---|"]
    for name, width in (("HNSW float32", 4), ("HNSW_SQ 8-bit", 1)):
        replica = target * per_chunk(costs, width) * HEADROOM / gb
        segments = math.ceil(replica / HEADROOM / SEGMENT_GB)
        lines.append(f"| {name} | {replica:.0f} | {REPLICAS} | {replica * REPLICAS:.0f} | "
                     f"{nodes(replica * REPLICAS)} | ~{segments} | vectors 4, text 2 |")
    return lines
