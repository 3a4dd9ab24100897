"""Tab-separated tables: finding the header, group labels and data rows of a block of lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.lines import Line, plain

_LABELLED = re.compile(r"^[A-Za-z][\w ()/&'-]{0,30}:\s*\S")
_NUMERIC = re.compile(r"^[£$€]?[-+]?\d[\d,.]*\s*%?$|^n/?a$|^-$", re.I)


@dataclass(frozen=True)
class Row:
    """A data row: its span in the text, its raw cells, the header and group label above it."""

    start: int
    end: int
    cells: tuple[str, ...]
    header: tuple[str, ...]
    group: str | None


def cells_of(raw: str) -> tuple[str, ...]:
    return tuple(raw.split("\t"))


def line_cells(text: str) -> list[tuple[int, int, int, int]]:
    """Each cell of each line of a table row's text, as (line, column, start, end) offsets into
    it: a row that ran onto a second line (a wrapped cell, labelled figures) keeps its lines'
    columns apart instead of gluing one line's last cell to the next one's first."""
    out, pos = [], 0
    for n, line in enumerate(text.split("\n")):
        at = pos
        for column, cell in enumerate(line.split("\t")):
            out.append((n, column, at, at + len(cell)))
            at += len(cell) + 1
        pos += len(line) + 1
    return out


def own_label(cell: str) -> str | None:
    """The label a "Label: value" cell carries ("Latest" of "Latest: 84%")."""
    return plain(cell).split(":", 1)[0].strip() if _LABELLED.match(plain(cell)) else None


def filled(cells: tuple[str, ...]) -> list[str]:
    return [c for c in cells if c.strip()]


def looks_like_header(cells: tuple[str, ...]) -> bool:
    """A header row names columns: few of its cells are numbers, none is a long sentence."""
    values = [plain(c) for c in filled(cells)]
    if len(values) < 2:
        return False
    numeric = sum(1 for v in values if _NUMERIC.match(v))
    long = sum(1 for v in values if len(v.split()) > 12)
    return numeric <= len(values) // 4 and long == 0


def is_table_line(line: Line) -> bool:
    return "\t" in line.raw and bool(line.raw.strip())


def parse_rows(block: list[Line], inherited: tuple[str, ...] = ()) -> tuple[list[Row], tuple[str, ...]]:
    """The data rows of a block of tab lines, and the header in force at its end.

    The first row is the header when it looks like one; otherwise the header of the table
    just above (`inherited`) continues, as when a table runs over a page. A line with a single
    filled cell is a group label ("General", "Involve Me") for the rows under it. A row whose
    first cell is empty continues the row above it (a cell that wrapped onto a new line), and so
    does a row of labelled values only ("Latest: 84%\tTarget: 92%" under the indicator it scores).
    """
    header = inherited
    group: str | None = None
    rows: list[Row] = []
    first = True
    for line in block:
        cells = cells_of(line.raw)
        values = filled(cells)
        if not any(re.search(r"[A-Za-z0-9]", v) for v in values):
            continue  # blank rows and ruled lines such as "-----\t-----"
        if len(values) == 1:
            group = plain(values[0])
            continue
        # Only a block's first row, or a reprint of the header in force, is a header: a table
        # whose cells are all words (a membership list) must keep its rows.
        if looks_like_header(cells) and (first or _same_as(cells, header)):
            header, group, first = tuple(plain(c) for c in cells), None, False
            continue
        first = False
        wrapped = not cells[0].strip() and len(values) <= 2
        if rows and (wrapped or _describes(values, rows[-1])) and rows[-1].end == line.start - 1:
            last = rows[-1]
            rows[-1] = Row(last.start, line.end, last.cells, last.header, last.group)
            continue
        rows.append(Row(line.start, line.end, cells, header, group))
    if _contents_page(rows):
        return [], header
    return rows, header


def _describes(values: list[str], above: Row) -> bool:
    """Cells that are all "Label: value" give the figures of the row above, when that row names
    something itself (its first cell is no "Label: value")."""
    first = filled(above.cells)[:1]
    return all(_LABELLED.match(plain(v)) for v in values) and bool(first) and not _LABELLED.match(plain(first[0]))


def _contents_page(rows: list[Row]) -> bool:
    """A table of contents ("Introduction\t3"): every row is a title and a page number."""
    if len(rows) < 4:
        return False
    pairs = [filled(r.cells) for r in rows]
    return all(len(p) == 2 and re.fullmatch(r"\s*\d{1,3}\s*", p[1]) for p in pairs)


def _same_as(cells: tuple[str, ...], header: tuple[str, ...]) -> bool:
    """A repeated header row (tables reprint it on every page)."""
    return bool(header) and tuple(plain(c) for c in cells) == header


def column_of(row: Row, index: int) -> str | None:
    """The header label of cell `index`, if the header has that column."""
    if index < len(row.header) and row.header[index]:
        return row.header[index]
    return None
