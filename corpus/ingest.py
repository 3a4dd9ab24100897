"""The ingest boundary: finding files, hashing them, and turning each into text and chunks.

Per-file errors are caught here and only here: a broken file becomes a `failed` outcome with
its reason, and the other files go on. `read_outcome` is what a parsing process runs.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

from corpus.access import SUGGESTED_KEY, access_of
from corpus.chunking import Chunker
from corpus.docmeta import guess_meta, missing_meta
from corpus.document import Chunk, PageMark, SourceText
from corpus.errors import ReadError
from corpus.readers import SUPPORTED, file_error, read_file
from corpus.structure import split_pack

log = logging.getLogger(__name__)
SIDECAR_KEY = "sidecar"  # meta key holding the sidecar as read, to notice when it changes


@dataclass(frozen=True)
class Outcome:
    """What happened to one file: ingested, unchanged, failed (with reason) or removed.

    An ingested file may carry a reason too: a warning, such as scanned pages it skipped.
    """

    path: str
    status: str
    reason: str = ""
    chunks: int = 0
    pages: int = 0


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
    except OSError as exc:
        raise file_error(exc) from exc


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


def sidecar_key(path: Path) -> str:
    """The sidecar as stored in a document's meta: a change to it re-reads an unchanged file."""
    sidecar = sidecar_meta(path)
    return json.dumps(sidecar, sort_keys=True, ensure_ascii=False) if sidecar else ""


def document_meta(path: Path, source: SourceText) -> dict[str, str]:
    """What the reader found, then guesses from the text for what the parser cannot find, then
    the sidecar over both."""
    found = {k: v for k, v in source.meta.items() if k != "warning"}
    guessed = guess_meta(source.text, path.name, found.get("title", ""))
    sidecar = sidecar_meta(path)
    meta = found | missing_meta(split_pack(source.text), guessed) | sidecar
    return meta | ({SIDECAR_KEY: json.dumps(sidecar, sort_keys=True, ensure_ascii=False)} if sidecar else {})


def parse_document(path: Path, root: Path | None, sha256: str, max_bytes: int) -> ParsedDocument:
    """Read, split and chunk one file; raises ReadError with the reason it cannot be used."""
    return _parse(path, root, sha256, max_bytes)[0]


def _parse(path: Path, root: Path | None, sha256: str, max_bytes: int) -> tuple[ParsedDocument, str]:
    source = read_file(path, max_bytes)
    body = source.body  # the document text, offsets and all, with any front matter blanked
    if not body.strip():
        raise ReadError("no text found in file")
    meta = document_meta(path, replace(source, text=body))
    chunks = Chunker(path.name, body, source.pages, meta).chunks()
    if not chunks:
        raise ReadError("no text found in file")
    # Exempt by its sidecar, or held as exempt when the paper says so (fail closed).
    access, said = access_of(meta, body, [p.start for p in split_pack(body)])
    held = f'held as exempt: it says "{said}" (a sidecar "access": "public" publishes it)' if said else ""
    doc = ParsedDocument(
        source=path.name, path=str(path.resolve()), root=str(root) if root else None, sha256=sha256,
        text=source.text, pages=source.pages, meta=meta | ({SUGGESTED_KEY: said} if said else {}),
        chunks=tuple(chunks), access=access,
    )
    return doc, "; ".join(w for w in (source.meta.get("warning", ""), held) if w)


def read_outcome(path: Path, root: Path | None, sha256: str, max_bytes: int) -> tuple[Outcome, ParsedDocument | None]:
    """Parse one file into (ingested outcome, document), or (failed outcome with its reason, None)."""
    try:
        doc, warning = _parse(path, root, sha256, max_bytes)
    except ReadError as exc:
        return Outcome(str(path), "failed", str(exc)), None
    except Exception as exc:  # noqa: BLE001 - a reader bug on one odd file must not stop the others
        log.debug("reading %s failed", path, exc_info=True)
        return Outcome(str(path), "failed", f"could not be read ({type(exc).__name__}: {exc})"), None
    return Outcome(str(path), "ingested", warning, chunks=len(doc.chunks), pages=len(doc.pages)), doc
