"""The index folder: documents, chunks, BM25, vectors and a manifest that explains them.

Layout of `--index DIR`:
    DIR/CURRENT              name of the live build (replaced atomically)
    DIR/builds/<name>/       manifest.json, documents.jsonl, chunks.jsonl, vectors.npy (float16),
                             owners.npy (chunk row of each vector), hashes.json (embedding
                             cache keys), acronyms.json, bm25/, hnsw.faiss (only above
                             index.dense.ANN_ABOVE vectors)
A build is written in full under a new name, then CURRENT is switched with os.replace, so a
crash at any point leaves the previous build loadable. Every file of a build is checksummed in
its manifest and checked on load, so a damaged file is named with the command that rebuilds it.
A document's access level is the one truth for its chunks: it is copied onto them on load.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from corpus.access import EXEMPT, level_of
from corpus.document import Chunk, PageMark
from corpus.errors import IndexMismatch, IndexMissing
from corpus.ingest import ParsedDocument
from index.dense import ANN_FILE, Dense
from index.lexical import Lexical

log = logging.getLogger(__name__)
FORMAT_VERSION = 2
KEEP_BUILDS = 2


@dataclass
class Index:
    """Everything retrieval needs, in memory, rows aligned across chunks, vectors and BM25."""

    documents: dict[str, ParsedDocument]
    chunks: list[Chunk]
    vectors: np.ndarray
    hashes: list[str]
    lexical: Lexical
    dense: Dense
    acronyms: dict[str, str] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)
    # Chunk row of each vector: a chunk's own vector and those of its sentences; -1 for a row
    # whose text has left the corpus since the rows were last laid out.
    owners: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    # Name of the build this index was loaded from ("" when built in memory).
    build: str = ""

    def __post_init__(self) -> None:
        # Vectors grouped by chunk row, so a chunk's vectors are one slice away (dead rows,
        # owner -1, sort first and belong to no chunk).
        self._order = np.argsort(self.owners, kind="stable")
        self._bounds = np.searchsorted(self.owners[self._order], np.arange(len(self.chunks) + 1))
        dead = self.owners < 0
        # Vector rows that speak for a chunk; None when all do (see index.builder.Placement).
        self.live: np.ndarray | None = ~dead if dead.any() else None

    @property
    def vector_kind(self) -> str | None:
        """The kind of vector the build holds (index.embedder.vector_kind); builds from before it
        was recorded hold fp32 ones; None for an index made in memory without a manifest."""
        if "vectors" in self.manifest:
            return str(self.manifest["vectors"])
        return "fp32" if self.manifest else None

    def vector_rows(self, row: int) -> list[int]:
        """Rows of the vectors that speak for chunk `row`: its own and its sentences'."""
        return self._order[self._bounds[row]:self._bounds[row + 1]].tolist()

    def vectors_of(self, row: int) -> np.ndarray:
        """The vectors that speak for chunk `row`."""
        return self.vectors[self._order[self._bounds[row]:self._bounds[row + 1]]]


def text_key(model: str, text: str, kind: str = "fp32") -> str:
    """Embedding cache key: the same text under the same model and kind of vector (see
    index.embedder.vector_kind) never needs encoding twice."""
    named = f"{model}\x00{text}" if kind == "fp32" else f"{model}\x00{kind}\x00{text}"
    return hashlib.sha1(named.encode()).hexdigest()


class IndexStore:
    """Reads and writes builds inside one index folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @property
    def pointer(self) -> Path:
        return self.folder / "CURRENT"

    def current_name(self) -> str | None:
        """The name CURRENT holds (cheap: one small read), without checking the build exists."""
        try:
            return self.pointer.read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    def current(self) -> Path | None:
        name = self.current_name()
        build = self.folder / "builds" / (name or "")
        return build if name and build.is_dir() else None

    def exists(self) -> bool:
        return self.current() is not None

    def load(self, model: str | None = None) -> Index:
        build = self.current()
        if build is None:
            raise IndexMissing(
                f"no index in {self.folder}: run `python -m qa ingest corpus/papers --index {self.folder}`"
            )
        return _load_build(build, model, self.folder)

    def save(self, index: Index) -> Path:
        """Write a new build and switch to it atomically; old builds beyond KEEP_BUILDS are pruned."""
        builds = self.folder / "builds"
        builds.mkdir(parents=True, exist_ok=True)
        name = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        tmp = builds / f".{name}.tmp"
        _write_build(tmp, index)
        final = builds / name
        os.rename(tmp, final)
        staged = self.folder / f".CURRENT.{os.getpid()}"
        staged.write_text(name, encoding="utf-8")
        os.replace(staged, self.pointer)
        self._prune(keep=name)
        return final

    def _prune(self, keep: str) -> None:
        builds = sorted(p for p in (self.folder / "builds").iterdir() if p.is_dir())
        old = [p for p in builds if p.name != keep and not p.name.startswith(".")]
        for path in old[: max(0, len(old) - (KEEP_BUILDS - 1))]:
            shutil.rmtree(path, ignore_errors=True)
        for path in builds:
            if path.name.startswith(".") and path.name.endswith(".tmp"):
                shutil.rmtree(path, ignore_errors=True)  # left by an ingest that was killed


def _shallow(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """A dataclass's fields as a dict without asdict's deep copy: a document's chunks were
    copied whole only to be dropped, and chunk fields are flat already."""
    return {f.name: getattr(obj, f.name) for f in fields(obj) if f.name not in skip}


def _document_json(doc: ParsedDocument) -> dict[str, Any]:
    data = _shallow(doc, skip=("chunks",))
    data["pages"] = [[p.offset, p.number] for p in doc.pages]
    return data


def _write_build(folder: Path, index: Index) -> None:
    folder.mkdir(parents=True)
    # orjson: ~5x faster than json at 186k chunks; its lines hold no raw newline, and they are
    # split as bytes, so a U+2028 inside a paper's text does not end a line.
    with (folder / "documents.jsonl").open("wb") as out:
        out.writelines(orjson.dumps(_document_json(doc)) + b"\n" for doc in index.documents.values())
    with (folder / "chunks.jsonl").open("wb") as out:
        out.writelines(orjson.dumps(_shallow(chunk)) + b"\n" for chunk in index.chunks)
    # float16 on disk: half the size, cosines within ~1e-3; read back memory-mapped.
    np.save(folder / "vectors.npy", np.asarray(index.vectors, dtype=np.float16))
    index.dense.save(folder)
    np.save(folder / "owners.npy", index.owners)
    (folder / "hashes.json").write_bytes(orjson.dumps(index.hashes))
    (folder / "acronyms.json").write_text(json.dumps(index.acronyms, indent=1), encoding="utf-8")
    index.lexical.save(folder / "bm25")
    manifest = {**index.manifest, "checksums": _checksums(folder)}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _checksums(folder: Path) -> dict[str, str]:
    names = ["documents.jsonl", "chunks.jsonl", "vectors.npy", "owners.npy", "hashes.json", "acronyms.json"]
    names += sorted(p.relative_to(folder).as_posix() for p in (folder / "bm25").rglob("*") if p.is_file())
    names += [ANN_FILE] if (folder / ANN_FILE).is_file() else []
    return {name: _sha256(folder / name) for name in names}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _load_build(build: Path, model: str | None, folder: Path) -> Index:
    rebuild = f"rebuild it with `python -m qa ingest corpus/papers --index {folder} --rebuild`"
    try:
        manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexMismatch(f"index manifest in {build} is unreadable ({exc}); {rebuild}") from exc
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexMismatch(f"index format {manifest.get('format_version')} is not {FORMAT_VERSION}; {rebuild}")
    if model is not None and manifest.get("model") != model:
        raise IndexMismatch(f"index was built with model {manifest.get('model')!r}, not {model!r}; {rebuild}")
    for name, expected in manifest.get("checksums", {}).items():
        if not (build / name).is_file() or _sha256(build / name) != expected:
            raise IndexMismatch(f"index file {name} is missing or damaged; {rebuild}")
    docs = [_document(orjson.loads(line)) for line in _lines(build / "documents.jsonl")]
    levels = {doc.source: level_of(doc.access) for doc in docs}
    # A chunk without its document is held back as exempt: fail closed.
    chunks = [_chunk(orjson.loads(line), levels) for line in _lines(build / "chunks.jsonl")]
    grouped: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        grouped.setdefault(chunk.source, []).append(chunk)
    by_source = {
        doc.source: replace(doc, access=levels[doc.source], chunks=tuple(grouped.get(doc.source, ())))
        for doc in docs
    }
    vectors = np.load(build / "vectors.npy", mmap_mode="r")
    return Index(
        documents=by_source, chunks=chunks, vectors=vectors,
        hashes=orjson.loads((build / "hashes.json").read_bytes()),
        lexical=Lexical.load(build / "bm25", len(chunks)), dense=Dense.load(build, vectors),
        acronyms=json.loads((build / "acronyms.json").read_text(encoding="utf-8")), manifest=manifest,
        owners=np.load(build / "owners.npy"), build=build.name,
    )


def _lines(path: Path) -> list[bytes]:
    return [line for line in path.read_bytes().split(b"\n") if line.strip()]


def _document(data: dict[str, Any]) -> ParsedDocument:
    data["pages"] = tuple(PageMark(o, n) for o, n in data.get("pages", []))
    return ParsedDocument(**data)


def _chunk(data: dict[str, Any], levels: dict[str, str]) -> Chunk:
    data["header"] = tuple(data.get("header", ()))
    data["access"] = levels.get(data["source"], EXEMPT)
    return Chunk(**data)
