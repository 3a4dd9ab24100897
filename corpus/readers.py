"""Readers: a file path in, the document text (and page marks where the format has them) out.

`read_file` does the file I/O and the size check once, then hands the bytes to the reader for
the file's suffix. Every reader returns text that is stable for the same bytes, because
citation offsets index into it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from charset_normalizer import from_bytes

from corpus import docx, html, pdf
from corpus.document import SourceText
from corpus.errors import ReadError

Reader = Callable[[bytes], SourceText]


def read_text(data: bytes) -> SourceText:
    """A plain-text or Markdown file, decoded; the text is the file as it is."""
    return SourceText(text=decode_text(data), meta={"format": "text"})


READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".md": read_text,
    ".markdown": read_text,
    ".pdf": pdf.read_pdf,
    ".html": html.read_html,
    ".htm": html.read_html,
    ".docx": docx.read_docx,
}

SUPPORTED = frozenset(READERS)


def read_file(path: Path, max_bytes: int = 100 * 2**20) -> SourceText:
    """Read one file; raise ReadError with a reason a person can act on."""
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise ReadError(f"unsupported file type {suffix or '(none)'}")
    data = read_bytes(path, max_bytes)
    if not data.strip():
        raise ReadError("file is empty")
    return reader(data)


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, refusing files over `max_bytes` and files that vanished."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ReadError(f"file is {size / 2**20:.1f} MB, over the {max_bytes / 2**20:.1f} MB limit")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ReadError("file disappeared before it could be read") from exc
    except IsADirectoryError as exc:
        raise ReadError("is a folder, not a file") from exc
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:  # the file grew after stat()
        raise ReadError(f"file is over the {max_bytes / 2**20:.1f} MB limit")
    return data


def decode_text(data: bytes) -> str:
    """UTF-8 when it is, else the best guess among common encodings; refuse binary data."""
    if not data.strip():
        raise ReadError("file is empty")
    if b"\x00" in data[:4096]:
        raise ReadError("file looks binary (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise ReadError("cannot decode text: not UTF-8 or any common encoding")
    return str(best)
