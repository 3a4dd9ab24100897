"""What a Milvus collection holds of a build, as plain rows: pure, no pymilvus.

Two kinds of row, keyed by ids that stay the same from build to build so an incremental ingest
can upsert and delete by id:
- a text row per chunk (id = Chunk.id, "source:start-end"): the chunk's BM25 tokens, made by
  Clerk's own tokenizer and joined by spaces for Milvus's BM25 function, and the filter fields;
- a vector row per vector unit (id = "<chunk id>#<n>", n-th vector of the chunk: its own, then its
  sentences'), with the chunk id, the vector and the same filter fields.
Every row carries a signature of everything it holds, so a sync compares signatures, not rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from corpus.access import may_see
from corpus.document import Chunk
from index.lexical import EMPTY, Terms
from index.store import Index

# Clerk's tokens are [a-z0-9.,]+ ("59.6", "p4.12", "1,2"). Milvus-lite's analyzer splits on \W
# and a cluster's whitespace analyzer does not, so "." and "," are spelt as word characters both
# leave alone ("_p", "_c": "_" never occurs in a token, so the spelling is one to one).
_SPELLING = str.maketrans({".": "_p", ",": "_c"})
EMPTY_TOKEN = "_e"  # bm25s's placeholder for a chunk without tokens, kept so lengths agree


def spell(token: str) -> str:
    """A Clerk token as a word both analyzers keep whole."""
    return EMPTY_TOKEN if token == EMPTY else token.translate(_SPELLING)


def text_of(tokens: Iterable[str]) -> str:
    """The text Milvus's BM25 function reads: the tokens, spelt, joined by spaces."""
    return " ".join(spell(t) for t in tokens)


@dataclass(frozen=True)
class Fields:
    """The filter fields of a chunk as Milvus stores them (qa.answer.Filters.admits is the truth:
    a committee compares case-folded, a date is the meeting's or else the pack's, "" for none)."""

    access: str
    committee: str
    kind: str
    date: str

    @classmethod
    def of(cls, chunk: Chunk) -> Fields:
        return cls(chunk.access, (chunk.committee or "").casefold(), chunk.kind,
                   chunk.meeting_date or chunk.pack_date or "")

    def as_dict(self) -> dict[str, str]:
        return {"access": self.access, "committee": self.committee, "kind": self.kind, "date": self.date}


@dataclass(frozen=True)
class TextRow:
    id: str
    text: str
    fields: Fields

    @property
    def sig(self) -> str:
        return _sig(self.text, *self.fields.as_dict().values())

    def record(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "sig": self.sig, **self.fields.as_dict()}


@dataclass(frozen=True)
class VectorRow:
    id: str
    chunk: str
    key: str  # the vector's embedding cache key (index.store.text_key): same key, same vector
    vector: np.ndarray
    fields: Fields

    @property
    def sig(self) -> str:
        return _sig(self.chunk, self.key, *self.fields.as_dict().values())

    def record(self) -> dict[str, Any]:
        return {"id": self.id, "chunk": self.chunk, "sig": self.sig,
                "vector": np.asarray(self.vector, dtype=np.float32).tolist(), **self.fields.as_dict()}


def _sig(*parts: str) -> str:
    return hashlib.sha1("\x00".join(parts).encode()).hexdigest()[:16]


def text_rows(index: Index, level: str) -> list[TextRow]:
    """The text rows of the chunks of exactly `level`, tokenised as the view of every level that
    sees them does (qa.access.view_of): each access level's collection keeps its own BM25
    statistics, so an exempt chunk never moves a public score."""
    rows = [r for r, c in enumerate(index.chunks) if may_see(level, c.access)]
    texts = [index.chunks[r].index_text for r in rows]
    terms = index.lexical.terms
    known = {c.index_text: row for row, c in enumerate(index.chunks)} if terms is not None else None
    ids, vocab = Terms.of(texts, known, terms).tokens()
    words = {i: w for w, i in vocab.items()}
    out = []
    for row, token_ids in zip(rows, ids):
        chunk = index.chunks[row]
        if chunk.access == level:
            out.append(TextRow(chunk.id, text_of(words[i] for i in token_ids), Fields.of(chunk)))
    return out


def vector_rows(index: Index) -> Iterator[VectorRow]:
    """A row per vector that speaks for a chunk, in chunk order (read lazily: vectors may be a map)."""
    for row, chunk in enumerate(index.chunks):
        fields = Fields.of(chunk)
        for n, at in enumerate(index.vector_rows(row)):
            yield VectorRow(f"{chunk.id}#{n}", chunk.id, index.hashes[at], index.vectors[at], fields)


@dataclass(frozen=True)
class Changes:
    """What makes a collection that holds `held` (id -> signature) hold `wanted` instead."""

    upsert: list[str]
    delete: list[str]

    @classmethod
    def between(cls, held: dict[str, str], wanted: dict[str, str]) -> Changes:
        return cls([i for i, sig in wanted.items() if held.get(i) != sig], [i for i in held if i not in wanted])

    def __len__(self) -> int:
        return len(self.upsert) + len(self.delete)
