"""A document laid out for the source viewer: prose runs, tables of cells and page marks.

Every run and cell keeps its offsets into the document text, so the page can highlight any
`start-end` span in place: `text[run.start:run.end] == run.text` always holds. Tab-separated
lines become tables (the tabs and line breaks between cells are the only text not shown).
Pure: takes text and page marks, returns data for the template.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from corpus.document import PageMark
from corpus.lines import Line, split_lines
from corpus.tables import looks_like_header


@dataclass(frozen=True)
class Run:
    """A stretch of document text; `text` is exactly `document_text[start:end]`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Block:
    """What the viewer shows, in order: "prose" (one run), "table" (rows of cells) or "page"."""

    kind: str
    start: int
    runs: tuple[Run, ...] = ()
    rows: tuple[tuple[Run, ...], ...] = ()
    header_rows: int = 0
    page: int | None = None

    @property
    def columns(self) -> int:
        return max((len(row) for row in self.rows), default=0)


def is_table_line(line: Line) -> bool:
    return "\t" in line.raw and bool(line.raw.strip())


def _groups(lines: list[Line]) -> Iterator[tuple[bool, list[Line]]]:
    """Runs of table lines and of other lines; a single blank line inside a table is kept in it."""
    current: list[Line] = []
    table = False
    for i, line in enumerate(lines):
        row = is_table_line(line)
        bridged = table and line.blank and i + 1 < len(lines) and is_table_line(lines[i + 1])
        if current and row != table and not bridged:
            yield table, current
            current = []
        if not bridged:
            table = row
        current.append(line)
    if current:
        yield table, current


def _cells(line: Line) -> tuple[Run, ...]:
    cells: list[Run] = []
    start = line.start
    for part in line.raw.split("\t"):
        cells.append(Run(start, start + len(part), part))
        start += len(part) + 1
    return tuple(cells)


def _table(text: str, lines: list[Line]) -> Block:
    rows = tuple(_cells(line) for line in lines if is_table_line(line))
    header = 1 if rows and looks_like_header(tuple(c.text for c in rows[0])) else 0
    return Block("table", lines[0].start, rows=rows, header_rows=header)


def _prose(text: str, start: int, end: int, pages: tuple[PageMark, ...]) -> Iterator[Block]:
    """The text from `start` to `end`, cut where a new page begins."""
    cuts = [p for p in pages if start < p.offset < end]
    for mark in cuts:
        if mark.offset > start:
            yield Block("prose", start, runs=(Run(start, mark.offset, text[start:mark.offset]),))
        yield Block("page", mark.offset, page=mark.number)
        start = mark.offset
    if end > start:
        yield Block("prose", start, runs=(Run(start, end, text[start:end]),))


def layout(text: str, pages: tuple[PageMark, ...] = ()) -> list[Block]:
    """The blocks of a whole document, covering all of its text but the tabs of tables."""
    blocks: list[Block] = []
    if pages and pages[0].offset == 0:
        blocks.append(Block("page", 0, page=pages[0].number))
    groups = list(_groups(split_lines(text)))
    for n, (table, lines) in enumerate(groups):
        # Prose runs reach up to the next group, so the line breaks between lines are kept.
        end = groups[n + 1][1][0].start if n + 1 < len(groups) else len(text)
        if table:
            blocks.extend(_page_marks_in(pages, lines[0].start, end))
            blocks.append(_table(text, lines))
        else:
            blocks.extend(_prose(text, lines[0].start, end, pages))
    return blocks


def _page_marks_in(pages: tuple[PageMark, ...], start: int, end: int) -> Iterator[Block]:
    """A page that begins inside a table is marked just before the table."""
    for mark in pages:
        if start < mark.offset < end:
            yield Block("page", start, page=mark.number)
