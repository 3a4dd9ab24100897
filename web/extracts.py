"""Finding indexed extracts by position: the chunk a citation names, the one covering a span."""

from __future__ import annotations

from dataclasses import dataclass

from corpus.document import Chunk
from corpus.errors import DocumentNotFound
from index.store import Index
from qa.answer import Citation


@dataclass(frozen=True)
class Covering:
    """The chunk that overlaps a span most, and its neighbours in document order."""

    chunk: Chunk | None
    previous: Chunk | None
    next: Chunk | None


def chunk_of(index: Index, citation: Citation) -> Chunk | None:
    """The indexed chunk a citation was made from."""
    document = index.documents.get(citation.source)
    if document is None:
        return None
    for chunk in document.chunks:
        if chunk.start == citation.start and chunk.end == citation.end:
            return chunk
    return None


def covering(index: Index, source: str, start: int, end: int) -> Covering:
    """The extract a deep link `#c=START-END` points into; raises DocumentNotFound."""
    document = index.documents.get(source)
    if document is None:
        raise DocumentNotFound(f"no ingested document is named {source!r}")
    chunks = sorted(document.chunks, key=lambda c: (c.start, c.end))
    end = max(end, start + 1)
    overlaps = [(min(end, c.end) - max(start, c.start), i) for i, c in enumerate(chunks)]
    best = max((o for o in overlaps if o[0] > 0), default=None)
    if best is None:
        return Covering(None, None, None)
    i = best[1]
    return Covering(chunks[i], chunks[i - 1] if i > 0 else None,
                    chunks[i + 1] if i + 1 < len(chunks) else None)
