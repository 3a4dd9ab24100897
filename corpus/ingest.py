"""The ingest boundary: finding files, hashing them, and turning each into text and chunks.

Per-file errors are caught here and only here: a broken file becomes a `failed` outcome with
its reason, and the other files go on.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from corpus.chunking import Chunker
from corpus.document import Chunk, PageMark
from corpus.errors import ReadError
from corpus.readers import SUPPORTED, read_file

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What happened to one file: ingested, unchanged, failed (with reason) or removed."""

    path: str
    status: str
    reason: str = ""
    chunks: int = 0


@dataclass(frozen=True)
class ParsedDocument:
    """One ingested file: where it came from, its text and its chunks."""

    source: str
    path: str
    root: str | None
    sha256: str
    text: str
    pages: tuple[PageMark, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)
    chunks: tuple[Chunk, ...] = ()
    access: str = "public"


def discover(paths: list[Path]) -> tuple[list[tuple[Path, Path | None]], list[Outcome]]:
    """Files to ingest as (file, folder it was found in), plus outcomes for paths that don't exist."""
    found: list[tuple[Path, Path | None]] = []
    missing: list[Outcome] = []
    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if file.suffix.lower() in SUPPORTED and not file.name.startswith("."):
                    found.append((file, path.resolve()))
        elif path.is_file():
            found.append((path, None))
        else:
            missing.append(Outcome(str(path), "failed", "no such file or folder"))
    return found, missing


def sha256_of(path: Path) -> str:
    try:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()
    except FileNotFoundError as exc:
        raise ReadError("file disappeared before it could be read") from exc
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror or exc}") from exc


def sidecar_meta(path: Path) -> dict[str, str]:
    """Officer-set metadata from NAME.meta.json beside the file, or clerk.meta.json in its folder."""
    meta: dict[str, str] = {}
    for candidate in (path.parent / "clerk.meta.json", path.with_name(path.name + ".meta.json")):
        if candidate.is_file():
            try:
                data = json.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ReadError(f"sidecar {candidate.name} is not valid JSON: {exc}") from exc
            if isinstance(data, dict):
                meta.update({str(k): str(v) for k, v in data.items() if v is not None})
    return meta


def parse_document(path: Path, root: Path | None, sha256: str, max_bytes: int) -> ParsedDocument:
    """Read, split and chunk one file; raises ReadError with the reason it cannot be used."""
    source = read_file(path, max_bytes)
    if not source.text.strip():
        raise ReadError("no text found in file")
    meta = {**source.meta, **sidecar_meta(path)}
    chunks = Chunker(path.name, source.text, source.pages, meta).chunks()
    if not chunks:
        raise ReadError("no text found in file")
    return ParsedDocument(
        source=path.name, path=str(path.resolve()), root=str(root) if root else None, sha256=sha256,
        text=source.text, pages=source.pages, meta=meta, chunks=tuple(chunks),
        access=meta.get("access", "public"),
    )
