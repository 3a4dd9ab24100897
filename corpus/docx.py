"""Word (.docx) reader: paragraphs and tables in document order.

Headings become "# Heading" lines, list paragraphs "- item", tables tab-separated rows with the
header row first; blocks are separated by blank lines, consecutive list items by one newline.
"""

from __future__ import annotations

import io
import re
import zipfile
from itertools import pairwise

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import XMLSyntaxError

from corpus.document import SourceText
from corpus.errors import ReadError

Block = tuple[str, str]  # (kind, text): kind is "heading", "item", "paragraph" or "table"


def read_docx(data: bytes) -> SourceText:
    """Read a .docx file's bytes into clean text."""
    document = open_docx(data)
    found = [b for b in (block(part) for part in document.iter_inner_content()) if b[1]]
    if not found:
        raise ReadError("Word document has no text")
    title = (document.core_properties.title or "").strip() or first_title(found)
    meta = {"format": "docx"} | ({"title": title} if title else {})
    return SourceText(text=join_blocks(found), meta=meta)


def open_docx(data: bytes) -> docx.document.Document:
    """The python-docx document, or a ReadError saying why the file is not one."""
    if not data.startswith(b"PK"):
        reason = "an old .doc or an encrypted file" if data.startswith(b"\xd0\xcf\x11\xe0") else "not a zip"
        raise ReadError(f"not a Word .docx file / damaged: {reason}")
    try:
        return docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, XMLSyntaxError) as exc:
        raise ReadError(f"not a Word .docx file / damaged: {exc or type(exc).__name__}") from exc


def block(part: Paragraph | Table) -> Block:
    if isinstance(part, Table):
        return ("table", table_text(part))
    text = paragraph_text(part)
    style = (part.style.name if part.style is not None else "") or ""
    level = heading_level(style)
    if level:
        return ("heading", f"{'#' * level} {text}" if text else "")
    if style.startswith("List") or part._p.pPr is not None and part._p.pPr.numPr is not None:
        return ("item", f"- {text}" if text else "")
    return ("paragraph", text)


def heading_level(style: str) -> int:
    """1 for "Title" and "Heading 1", N for "Heading N", 0 for any other style."""
    if style == "Title":
        return 1
    match = re.fullmatch(r"Heading (\d)", style)
    return int(match[1]) if match else 0


def paragraph_text(paragraph: Paragraph) -> str:
    """The paragraph's text, tabs as spaces, line breaks kept, spaces collapsed."""
    lines = paragraph.text.replace("\t", " ").split("\n")
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())


def table_text(table: Table) -> str:
    """Tab-separated rows; a merged cell's text appears once, in its first column."""
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            cells.append("" if cell._tc is previous else " ".join(cell.text.split()))
            previous = cell._tc
        if any(cells):
            rows.append("\t".join(cells))
    return "\n".join(rows)


def first_title(found: list[Block]) -> str:
    return next((text.lstrip("# ") for kind, text in found if kind == "heading"), "")


def join_blocks(found: list[Block]) -> str:
    """Blocks separated by blank lines; list items that follow each other by one newline."""
    parts = [found[0][1]]
    for (before, _), (kind, text) in pairwise(found):
        parts.append(("\n" if before == kind == "item" else "\n\n") + text)
    return "".join(parts)
