"""Ruled tables in PDFs: pdfplumber finds them, their rows replace their loose words in the text.

pdfplumber is slow to open, so it is opened once per file and only when a page draws enough
line segments to hold a grid.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from corpus.pdf_words import HYPHEN_MARKS, clean_cell

log = logging.getLogger(__name__)

Box = tuple[float, float, float, float]  # (left, bottom, right, top) in PDF space
Table = tuple[Box, list[str]]  # box, tab-separated rows
MIN_TABLE_SEGMENTS = 6  # fewer path segments than a 2x2 grid: no pdfplumber run


def draws_grid(page: pdfium.PdfPage) -> bool:
    """Whether the page draws enough line segments to hold a ruled table."""
    segments = 0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]):
        segments += max(pdfium_c.FPDFPath_CountSegments(obj.raw), 0)
        if segments >= MIN_TABLE_SEGMENTS:
            return True
    return False


class PlumberTables:
    """pdfplumber opened once, lazily, only if some page may hold a table."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pdf: Any = None

    def on_page(self, index: int, page: pdfium.PdfPage) -> list[Table]:
        left, bottom, _, top = page.get_mediabox()
        if page.get_rotation() or left or bottom:
            return []  # coordinates would need mapping; keep the plain text layer
        try:
            if self.pdf is None:
                import pdfplumber  # slow to import; only PDFs with ruled pages need it

                self.pdf = pdfplumber.open(io.BytesIO(self.data))
            found = self.pdf.pages[index].find_tables()
            return [t for t in (as_table(f.bbox, f.extract(), top) for f in found) if t]
        except Exception as exc:  # noqa: BLE001 - tables are a refinement; the text layer stands
            log.warning("table detection failed on page %d: %s", index + 1, exc)
            return []

    def close(self) -> None:
        if self.pdf is not None:
            self.pdf.close()


def as_table(bbox: Box, cells: list[list[Any]], top: float) -> Table | None:
    """pdfplumber's table as (pdf-space box, tab-separated rows); None for a frame, not a table."""
    rows = [[clean_cell(c) for c in row] for row in cells]
    rows = [row for row in rows if any(row)]
    if len(rows) < 2 or max(len(row) for row in rows) < 2:
        return None
    x0, y_top, x1, y_bottom = bbox  # pdfplumber measures y from the top of the page
    return (x0, top - y_bottom, x1, top - y_top), ["\t".join(row) for row in rows]


def splice_tables(text: str, boxes: list[Box], tables: list[Table]) -> str:
    """The text with each table's characters replaced, where the table starts, by its rows."""
    out: list[str] = []
    owner: int | None = None
    done: set[int] = set()
    for ch, box in zip(text, boxes):
        if not ch.isspace() and ch not in HYPHEN_MARKS:
            owner = table_at(box, tables)
        if owner is None:
            out.append(" " if ch == "\t" else ch)
        elif owner not in done:
            done.add(owner)
            out.append("\n" + "\n".join(tables[owner][1]) + "\n")
    return "".join(out)


def table_at(box: Box, tables: list[Table]) -> int | None:
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    for i, ((left, bottom, right, top), _) in enumerate(tables):
        if left - 1 <= x <= right + 1 and bottom - 1 <= y <= top + 1:
            return i
    return None
