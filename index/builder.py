"""Incremental ingest: which files changed, what to re-read, what to re-embed, then one new build."""

from __future__ import annotations

import logging
import os
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
from corpus.ingest import (
    SIDECAR_KEY,
    Outcome,
    ParsedDocument,
    discover,
    sha256_of,
    sidecar_key,
)
from corpus.readers import check_size
from corpus.sentences import sentences
from index.dense import Dense
from index.embedder import Embedder
from index.lexical import Lexical
from index.reading import Job
from index.runner import LocalRunner, Runner
from index.store import FORMAT_VERSION, Index, IndexStore, text_key

log = logging.getLogger(__name__)
Progress = Callable[[Outcome, int, int], None]  # (outcome of one file, files settled, files in all)
# Bump when structure parsing, chunking, sentence splitting or BM25 tokenising changes, so
# existing indexes re-read their files and tokenise them again (embeddings stay cached).
CHUNKER_VERSION = 25
# Sentences shorter than this are left to their chunk's vector.
SENTENCE_MIN_WORDS = 6
# Share of dead vector rows (their text gone) above which a build lays its rows out afresh.
COMPACT_ABOVE = 0.2


@dataclass(frozen=True)
class IngestReport:
    outcomes: list[Outcome]
    documents: int
    chunks: int
    embedded: int
    seconds: dict[str, float]
    dry_run: bool = False

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def pages(self) -> int:
        """Pages of the files parsed by this ingest (0 for formats without pages)."""
        return sum(o.pages for o in self.outcomes if o.status == "ingested")


class Tally:
    """Collects outcomes in the order files settle, telling `progress` about each."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.outcomes: list[Outcome] = []
        self.total = total
        self.progress = progress

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        if self.progress:
            self.progress(outcome, len(self.outcomes), self.total)


class Builder:
    """Brings an index folder up to date with a set of files and folders."""

    def __init__(self, store: IndexStore, embedder: Embedder, max_bytes: int, show_progress: bool = False,
                 workers: int | None = None, runner: Runner | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.max_bytes = max_bytes
        self.show_progress = show_progress
        self.workers = workers or os.cpu_count() or 1
        # Who parses and embeds: this machine unless told otherwise (a Ray cluster, index/ray_runner.py).
        self.runner: Runner = runner or LocalRunner(embedder, self.workers)

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
        timer = {"parse": 0.0, "model": 0.0, "embed": 0.0, "index": 0.0}
        previous = self._previous()
        # A new chunker reads unchanged files differently: re-read them all (embeddings stay cached).
        stale = previous is None or previous.manifest.get("chunker") != CHUNKER_VERSION
        # Another kind of vector (the backend changed): the same chunks, every one embedded again.
        reembed = previous is not None and previous.vector_kind not in (None, self.embedder.kind)
        known = dict(previous.documents) if previous else {}
        documents = {} if rebuild or stale else dict(known)
        files, missing = discover(paths)
        tally = Tally(len(files) + len(missing), progress)
        for outcome in missing:
            tally.add(outcome)
        t0 = time.perf_counter()
        jobs = self._plan(files, documents, known, "--rebuild" if rebuild else "the chunker changed", tally)
        changed = self._read(jobs, documents, tally, dry_run)
        changed |= self._drop_vanished(files, paths, documents, tally)
        timer["parse"] = time.perf_counter() - t0
        report = IngestReport(tally.outcomes, len(documents), 0, 0, timer, dry_run)
        if dry_run or not documents or (previous is not None and not (changed or stale or rebuild or reembed)):
            return replace(report, chunks=len(previous.chunks) if previous and not dry_run else 0)
        # Kept terms and vector units are only as current as the chunker and tokeniser that made them.
        index, embedded = self._build(documents, previous, timer, compact=rebuild, reuse=not stale)
        t0 = time.perf_counter()
        self.store.save(index)
        timer["index"] += time.perf_counter() - t0
        return replace(report, chunks=len(index.chunks), embedded=embedded)

    def _plan(self, files: list[tuple[Path, Path | None]], documents: dict[str, ParsedDocument],
              known: dict[str, ParsedDocument], reread: str, tally: Tally) -> list[Job]:
        """Settle the unchanged and unreadable files; the rest become jobs for the parsers."""
        jobs: list[Job] = []
        claimed: dict[str, str] = {}
        for path, root in files:
            resolved = str(path.resolve())
            owner = claimed.setdefault(path.name, resolved)
            if owner != resolved:
                tally.add(Outcome(str(path), "failed", f"another file named {path.name} is already ingested ({owner})"))
                continue
            try:
                if check_size(path, self.max_bytes) == 0:
                    raise ReadError("file is empty")  # known without reading: a dry run says so too
                sha = sha256_of(path)
                sidecar = sidecar_key(path)
            except ReadError as exc:
                tally.add(Outcome(str(path), "failed", str(exc)))
                continue
            old = documents.get(path.name)
            if old is not None and (old.sha256, old.path, old.meta.get(SIDECAR_KEY, "")) == (sha, resolved, sidecar):
                if root and old.root != str(root):
                    documents[path.name] = replace(old, root=str(root))
                tally.add(Outcome(str(path), "unchanged", chunks=len(old.chunks), pages=len(old.pages)))
                continue
            cleared = reread if old is None else None
            jobs.append(Job(path, root, sha, why(known.get(path.name), sha, resolved, cleared)))
        return jobs

    def _read(self, jobs: list[Job], documents: dict[str, ParsedDocument], tally: Tally, dry_run: bool) -> bool:
        """Parse the jobs (in parallel); True when any document was added or replaced."""
        if dry_run:
            for job in jobs:
                tally.add(Outcome(str(job.path), "ingested", job.why))
            return bool(jobs)
        changed = False
        for outcome, doc in self.runner.read(jobs, self.max_bytes):
            if doc is not None:
                documents[doc.source] = doc
                changed = True
            tally.add(outcome)
        return changed

    @staticmethod
    def _drop_vanished(files: list[tuple[Path, Path | None]], paths: list[Path],
                       documents: dict[str, ParsedDocument], tally: Tally) -> bool:
        """Forget documents that were ingested from a folder given again but are gone from it."""
        roots = {str(p.resolve()) for p in paths if p.is_dir()}
        present = {str(f.resolve()) for f, _ in files}
        gone = [d for d in documents.values() if d.root in roots and d.path not in present]
        for doc in gone:
            del documents[doc.source]
            tally.add(Outcome(doc.path, "removed", "no longer in its folder"))
        return bool(gone)

    def _build(self, documents: dict[str, ParsedDocument], previous: Index | None,
               timer: dict[str, float], compact: bool, reuse: bool) -> tuple[Index, int]:
        chunks = [c for doc in sorted(documents.values(), key=lambda d: d.source) for c in doc.chunks]
        model, kind = self.embedder.model_path, self.embedder.kind
        same_kind = previous if reuse and previous is not None and previous.vector_kind == kind else None
        units, hashes, texts = units_of(chunks, same_kind, lambda text: text_key(model, text, kind))
        # The previous build was loaded for this model (IndexStore.load checks), so its vectors fit.
        plan = Placement.of(hashes, units, previous.hashes if previous is not None else [], compact)
        t0 = time.perf_counter()
        if plan.to_embed:
            self.runner.load()  # loading the model is not encoding: timed on its own
        timer["model"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        todo = [texts[i] for _, i in plan.to_embed]
        fresh = self.runner.encode(todo, progress=self.show_progress and len(todo) > 200) if todo else None
        timer["embed"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        dim = fresh.shape[1] if fresh is not None else (previous.vectors.shape[1] if previous is not None
                                                         else self.embedder.dimension)
        # float16, as stored: the previous build's rows are copied without conversion.
        vectors = np.empty((len(plan.owners), dim), dtype=np.float16)
        kept = len(previous.vectors) if plan.appended and previous is not None else 0
        if kept:
            vectors[:kept] = previous.vectors[:kept]  # type: ignore[union-attr] # one sequential read
        if plan.copy_to.size > kept:
            vectors[plan.copy_to[kept:]] = previous.vectors[plan.copy_from[kept:]]  # type: ignore[union-attr]
        if fresh is not None:
            vectors[[row for row, _ in plan.to_embed]] = fresh
        dense = Dense.grown(previous.dense, vectors) if plan.appended and previous else Dense(vectors)
        old_terms = previous.lexical.terms if reuse and previous is not None else None
        known = {c.index_text: row for row, c in enumerate(previous.chunks)} if old_terms is not None else None
        index = Index(
            documents=documents, chunks=chunks, vectors=vectors, hashes=plan.hashes,
            lexical=Lexical.build([c.index_text for c in chunks], known, old_terms), dense=dense,
            acronyms=find_acronyms([d.text for d in documents.values()]),
            manifest=_manifest(model, dim, documents, len(chunks)) | {"vectors": kind, "backend": self.embedder.backend},
            owners=plan.owners,
        )
        timer["index"] = time.perf_counter() - t0
        return index, len(plan.to_embed)


@dataclass
class Placement:
    """Where each vector of a new build comes from.

    Rows are append-only between compactions: the previous build's rows stay where they are
    (rows whose text is gone keep owner -1 and are never returned), new texts are appended, so
    an HNSW graph over the previous rows stays valid and only the new rows are added to it.
    When more than COMPACT_ABOVE of the rows would be dead, or on --rebuild, the rows are laid
    out afresh (one per vector unit) and the graph is built again.
    """

    owners: np.ndarray  # chunk row of each vector row, -1 for a dead row
    hashes: list[str]  # embedding cache key of each vector row
    copy_to: np.ndarray  # rows filled from the previous build's rows copy_from
    copy_from: np.ndarray
    to_embed: list[tuple[int, int]]  # (row, vector unit) to encode
    appended: bool  # True when rows 0..len(previous) are the previous build's rows

    @classmethod
    def of(cls, hashes: list[str], units: np.ndarray, previous: list[str], compact: bool) -> Placement:
        first: dict[str, int] = {}
        free: dict[str, list[int]] = {}
        for row, key in enumerate(previous):
            first.setdefault(key, row)
            free.setdefault(key, []).append(row)
        if previous and not compact:
            owners = np.full(len(previous), -1, dtype=np.int32)
            extra: list[int] = []
            for unit, key in enumerate(hashes):
                rows = free.get(key)
                if rows:
                    owners[rows.pop()] = units[unit]
                else:
                    extra.append(unit)
            dead = int((owners < 0).sum())
            if dead <= COMPACT_ABOVE * (len(previous) + len(extra)):
                # Every previous row is copied, dead ones too: the graph holds them, and a text
                # that comes back takes its old row again.
                rows = list(range(len(previous), len(previous) + len(extra)))
                copy = [(row, first[hashes[u]]) for row, u in zip(rows, extra) if hashes[u] in first]
                same = np.arange(len(previous), dtype=np.int64)
                return cls(np.concatenate([owners, units[extra]]).astype(np.int32),
                           list(previous) + [hashes[u] for u in extra],
                           np.concatenate([same, np.asarray([r for r, _ in copy], dtype=np.int64)]),
                           np.concatenate([same, np.asarray([f for _, f in copy], dtype=np.int64)]),
                           [(row, u) for row, u in zip(rows, extra) if hashes[u] not in first], True)
        copy = [(row, first[key]) for row, key in enumerate(hashes) if key in first]
        return cls(np.asarray(units, dtype=np.int32), list(hashes),
                   np.asarray([r for r, _ in copy], dtype=np.int64), np.asarray([f for _, f in copy], dtype=np.int64),
                   [(row, row) for row, key in enumerate(hashes) if key not in first], False)


def why(old: ParsedDocument | None, sha: str, path: str, reread: str | None) -> str:
    """Why a file is (re)read: new, changed, moved, its sidecar changed, or everything is re-read."""
    if old is None:
        return "new file"
    if old.sha256 != sha:
        return "changed since the last ingest"
    if old.path != path:
        return f"moved from {old.path}"
    return f"re-read: {reread}" if reread else "its sidecar metadata changed"


def unit_texts(chunk: Chunk) -> list[str]:
    """What gets a vector for one chunk: the chunk as a whole, and each sentence of a prose
    chunk on its own, so one precise sentence is not drowned by the rest of its chunk."""
    return [chunk.index_text, *(chunk.text[a:b] for a, b in sentence_units(chunk))]


def sentence_units(chunk: Chunk) -> list[tuple[int, int]]:
    """The spans of a chunk's sentences that get vectors of their own, in the order their vectors
    follow the chunk's (none for a table row, or a chunk of one sentence)."""
    if chunk.kind == "table":
        return []
    spans = [(a, b) for a, b in sentences(chunk.text) if len(chunk.text[a:b].split()) >= SENTENCE_MIN_WORDS]
    return spans if len(spans) >= 2 else []


def vector_units(chunks: list[Chunk]) -> tuple[np.ndarray, list[str]]:
    """Every vector unit of the chunks: the chunk row each speaks for, and its text."""
    owners: list[int] = []
    texts: list[str] = []
    for row, chunk in enumerate(chunks):
        found = unit_texts(chunk)
        owners += [row] * len(found)
        texts += found
    return np.asarray(owners, dtype=np.int32), texts


def units_of(chunks: list[Chunk], previous: Index | None,
             key: Callable[[str], str]) -> tuple[np.ndarray, list[str], dict[int, str]]:
    """The vector units of the chunks: the chunk row and cache key of each, and the text of
    each unit the previous build (of the same kind of vector) did not have. A chunk the
    previous build holds keeps its units' keys without being split or hashed again."""
    held: dict[tuple[str, str, str], int] = {}
    if previous is not None:
        for row, chunk in enumerate(previous.chunks):
            held.setdefault((chunk.kind, chunk.text, chunk.index_text), row)
    owners: list[int] = []
    keys: list[str] = []
    texts: dict[int, str] = {}
    for row, chunk in enumerate(chunks):
        old = held.get((chunk.kind, chunk.text, chunk.index_text))
        if old is not None and previous is not None:
            rows = previous.vector_rows(old)
            owners += [row] * len(rows)
            keys += [previous.hashes[i] for i in rows]
            continue
        for text in unit_texts(chunk):
            texts[len(keys)] = text
            owners.append(row)
            keys.append(key(text))
    return np.asarray(owners, dtype=np.int32), keys, texts


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
