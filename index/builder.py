"""Incremental ingest: which files changed, what to re-read, what to re-embed, then one new build."""

from __future__ import annotations

import logging
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path

import numpy as np

from corpus.acronyms import find_acronyms
from corpus.document import Chunk
from corpus.errors import IndexError_, ReadError
from corpus.sentences import sentences
from corpus.ingest import Outcome, ParsedDocument, discover, parse_document, sha256_of
from index.dense import Dense
from index.embedder import Embedder
from index.lexical import Lexical
from index.store import FORMAT_VERSION, Index, IndexStore, text_key

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
# Bump when structure parsing or chunking changes, so existing indexes re-read their files.
CHUNKER_VERSION = 12
# Sentences shorter than this are left to their chunk's vector.
SENTENCE_MIN_WORDS = 6


@dataclass(frozen=True)
class IngestReport:
    outcomes: list[Outcome]
    documents: int
    chunks: int
    embedded: int
    seconds: dict[str, float]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


class Builder:
    """Brings an index folder up to date with a set of files and folders."""

    def __init__(self, store: IndexStore, embedder: Embedder, max_bytes: int, show_progress: bool = False) -> None:
        self.store = store
        self.embedder = embedder
        self.max_bytes = max_bytes
        self.show_progress = show_progress

    def _previous(self) -> Index | None:
        if not self.store.exists():
            return None
        try:
            return self.store.load(self.embedder.model_path)
        except IndexError_ as exc:
            log.warning("previous index not reused: %s", exc)
            return None

    def ingest(self, paths: list[Path], rebuild: bool = False, dry_run: bool = False,
               progress: Progress | None = None) -> IngestReport:
        timer = {"parse": 0.0, "embed": 0.0, "index": 0.0}
        previous = self._previous()
        # A new chunker reads unchanged files differently: re-read them all (embeddings stay cached).
        stale = previous is None or previous.manifest.get("chunker") != CHUNKER_VERSION
        documents = {} if rebuild or stale else dict(previous.documents)
        files, outcomes = discover(paths)
        t0 = time.perf_counter()
        changed = self._read_changed(files, documents, outcomes, progress, dry_run)
        changed |= self._drop_vanished(files, paths, documents, outcomes)
        timer["parse"] = time.perf_counter() - t0
        if dry_run or (previous is not None and not changed and not stale and not rebuild):
            total = previous.chunks if previous else []
            return IngestReport(outcomes, len(documents), len(total), 0, timer)
        index, embedded = self._build(documents, previous, timer)
        t0 = time.perf_counter()
        self.store.save(index)
        timer["index"] += time.perf_counter() - t0
        return IngestReport(outcomes, len(documents), len(index.chunks), embedded, timer)

    def _read_changed(self, files: list[tuple[Path, Path | None]], documents: dict[str, ParsedDocument],
                      outcomes: list[Outcome], progress: Progress | None, dry_run: bool) -> bool:
        changed = False
        claimed: dict[str, str] = {}
        for n, (path, root) in enumerate(files, 1):
            if progress:
                progress(path.name, n, len(files))
            outcome, doc = self._read_one(path, root, documents, claimed, dry_run)
            outcomes.append(outcome)
            if doc is not None:
                documents[doc.source] = doc
                changed = True
            changed |= dry_run and outcome.status == "ingested"
        return changed

    def _read_one(self, path: Path, root: Path | None, documents: dict[str, ParsedDocument],
                  claimed: dict[str, str], dry_run: bool) -> tuple[Outcome, ParsedDocument | None]:
        resolved = str(path.resolve())
        owner = claimed.setdefault(path.name, resolved)
        if owner != resolved:
            return Outcome(str(path), "failed", f"another file named {path.name} is already ingested ({owner})"), None
        try:
            sha = sha256_of(path)
            old = documents.get(path.name)
            if old is not None and old.sha256 == sha and old.path == resolved:
                if root and old.root != str(root):
                    documents[path.name] = replace(old, root=str(root))
                return Outcome(str(path), "unchanged", chunks=len(old.chunks)), None
            if dry_run:
                return Outcome(str(path), "ingested", "would be (re)indexed"), None
            doc = parse_document(path, root, sha, self.max_bytes)
        except ReadError as exc:
            return Outcome(str(path), "failed", str(exc)), None
        return Outcome(str(path), "ingested", chunks=len(doc.chunks)), doc

    @staticmethod
    def _drop_vanished(files: list[tuple[Path, Path | None]], paths: list[Path],
                       documents: dict[str, ParsedDocument], outcomes: list[Outcome]) -> bool:
        """Forget documents that were ingested from a folder given again but are gone from it."""
        roots = {str(p.resolve()) for p in paths if p.is_dir()}
        present = {str(f.resolve()) for f, _ in files}
        gone = [d for d in documents.values() if d.root in roots and d.path not in present]
        for doc in gone:
            del documents[doc.source]
            outcomes.append(Outcome(doc.path, "removed", "no longer in its folder"))
        return bool(gone)

    def _build(self, documents: dict[str, ParsedDocument], previous: Index | None,
               timer: dict[str, float]) -> tuple[Index, int]:
        chunks = [c for doc in sorted(documents.values(), key=lambda d: d.source) for c in doc.chunks]
        owners, texts = vector_units(chunks)
        model = self.embedder.model_path
        hashes = [text_key(model, t) for t in texts]
        cache = dict(zip(previous.hashes, previous.vectors)) if previous is not None else {}
        todo = [i for i, h in enumerate(hashes) if h not in cache]
        t0 = time.perf_counter()
        fresh = self.embedder.encode([texts[i] for i in todo],
                                     progress=self.show_progress and len(todo) > 200) if todo else None
        timer["embed"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        dim = fresh.shape[1] if fresh is not None else (previous.vectors.shape[1] if previous else self.embedder.dimension)
        vectors = np.zeros((len(texts), dim), dtype=np.float32)
        for row, i in enumerate(todo):
            vectors[i] = fresh[row]  # type: ignore[index]
        for i, h in enumerate(hashes):
            if h in cache:
                vectors[i] = cache[h]
        index = Index(
            documents=documents, chunks=chunks, vectors=vectors, hashes=hashes,
            lexical=Lexical.build([c.index_text for c in chunks]), dense=Dense(vectors),
            acronyms=find_acronyms([d.text for d in documents.values()]),
            manifest=_manifest(model, dim, documents, len(chunks)), owners=owners,
        )
        timer["index"] = time.perf_counter() - t0
        return index, len(todo)


def vector_units(chunks: list[Chunk]) -> tuple[np.ndarray, list[str]]:
    """What gets a vector, and the chunk row each vector speaks for: every chunk as a whole,
    and each sentence of a prose chunk on its own, so one precise sentence is not drowned
    by the rest of its chunk."""
    owners = list(range(len(chunks)))
    texts = [c.index_text for c in chunks]
    for row, chunk in enumerate(chunks):
        if chunk.kind == "table":
            continue
        spans = [(a, b) for a, b in sentences(chunk.text) if len(chunk.text[a:b].split()) >= SENTENCE_MIN_WORDS]
        if len(spans) < 2:
            continue
        for a, b in spans:
            owners.append(row)
            texts.append(chunk.text[a:b])
    return np.asarray(owners, dtype=np.int32), texts


def _manifest(model: str, dim: int, documents: dict[str, ParsedDocument], chunks: int) -> dict[str, object]:
    return {
        "format_version": FORMAT_VERSION,
        "chunker": CHUNKER_VERSION,
        "model": model,
        "dimension": dim,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "documents": len(documents),
        "chunks": chunks,
        "bm25": {"k1": 1.2, "b": 0.75, "tokenizer": "index.tokenize v1"},
        "versions": {name: _version(name) for name in
                     ("clerk", "bm25s", "faiss-cpu", "sentence-transformers", "torch")} | {"python": platform.python_version()},
        "files": {d.source: {"path": d.path, "root": d.root, "sha256": d.sha256, "chunks": len(d.chunks)}
                  for d in documents.values()},
    }


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
