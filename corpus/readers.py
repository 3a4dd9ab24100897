"""Readers: a file path in, the document text (and page marks where the format has them) out.

`read_file` does the file I/O and the size check once, then hands the bytes to the reader for
the file's suffix. Every reader returns text that is stable for the same bytes, because
citation offsets index into it.
"""

from __future__ import annotations

import re
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


# A Markdown file exported from a website may open with YAML front matter between "---" lines.
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)
_TITLE = re.compile(r"^title:[ \t]*(['\"]?)(.+?)\1[ \t]*$", re.M)


def read_markdown(data: bytes) -> SourceText:
    """A Markdown file, decoded as it is. YAML front matter's fields (a site's posting date,
    categories) are not the paper's words: they are kept out of its body; its title, if it has
    one, becomes the title."""
    text = decode_text(data)
    meta = {"format": "text"}
    front = _FRONT_MATTER.match(text)
    if not front or len(front.group(0)) >= 4000:
        return SourceText(text=text, meta=meta)
    title = _TITLE.search(front.group(1))
    if title and title.group(2).strip():
        meta["title"] = title.group(2).strip()
    return SourceText(text=text, meta=meta, body_start=front.end())


READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
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
    check_size(path, max_bytes)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise file_error(exc) from exc
    if len(data) > max_bytes:  # the file grew after stat()
        raise ReadError(too_big(len(data), max_bytes))
    return data


def check_size(path: Path, max_bytes: int) -> int:
    """The file's size; a ReadError when it is over `max_bytes` or cannot be looked at."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise file_error(exc) from exc
    if size > max_bytes:
        raise ReadError(too_big(size, max_bytes))
    return size


def too_big(size: int, max_bytes: int) -> str:
    return (f"file is {human_size(size)}, over the {human_size(max_bytes)} limit "
            "(raise it with CLERK_MAX_FILE_MB or --max-file-mb)")


def human_size(size: int) -> str:
    """'2.0 KB', '150.3 MB'."""
    if size < 2**20:
        return f"{size / 2**10:.1f} KB"
    return f"{size / 2**20:.1f} MB"


def file_error(exc: OSError) -> ReadError:
    """An OSError from opening or reading a file, in words a user can act on."""
    if isinstance(exc, FileNotFoundError):
        return ReadError("file disappeared before it could be read")
    if isinstance(exc, IsADirectoryError):
        return ReadError("is a folder, not a file")
    return ReadError(f"cannot read file: {exc.strerror or exc}")


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
