"""A performance-table row as a labelled series: the figures of its columns, in order.

"NI 59 ...\t63.30%\t80%\t67% (67% cum)\t45% ..." under the header "2009-10 outturn | 2010-11
Target | Quarter 1 ..." becomes the points 63.3 (previous year), 80 (target), 67 (Quarter 1) ...
Only the leading figure of a cell counts ("41% (50% as of Dec)" is 41); cells of commentary,
RAG ratings and references are left out. Pure: takes a chunk, returns data.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from corpus.document import Chunk

MIN_POINTS = 2
MAX_CELL = 40
_FIGURE = re.compile(
    r"^\s*(?P<cur>[£$€])?\s*(?P<num>[-+]?\d[\d,]*(?:\.\d+)?)\s*(?P<pct>%)?"
    r"(?:\s*(?:-|–|to)\s*[£$€]?\s*(?P<high>\d[\d,]*(?:\.\d+)?)\s*%?)?"
)
_SKIP = re.compile(r"\b(rag|comment|commentary|ref|reference|priority|polarity|travel|lead|description)\b", re.IGNORECASE)
_TARGET = re.compile(r"\btarget", re.IGNORECASE)
_BENCHMARK = re.compile(r"\b(national|neigh|england|statistical|stat|benchmark|regional)\b", re.IGNORECASE)
_PREVIOUS = re.compile(r"\b(outturn|previous|last year|baseline|yr\.? end|year end)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Point:
    """One figure of the row: its column label, value, the cell as written and its role."""

    label: str
    value: float
    text: str
    role: str  # "actual" | "target" | "benchmark"
    high: float | None = None  # upper end of a range such as "380-430"
    answer: bool = False  # the cell the answer was taken from


@dataclass(frozen=True)
class Series:
    """A table row's figures in column order, with the row's own label and common unit."""

    label: str
    unit: str  # "%", "£" or ""
    points: tuple[Point, ...]


def figure(cell: str) -> tuple[float, float | None, str] | None:
    """(value, upper end of a range, unit) of a cell that starts with a figure, else None."""
    m = _FIGURE.match(cell)
    if not m or len(cell.strip()) > MAX_CELL:
        return None
    # "2 Feel & Be Safe" is a priority name, not the figure 2.
    rest = cell[m.end():].strip()
    if rest and rest[0].isalpha() and not rest.lower().startswith(("cum", "as of", "of", "(")):
        return None
    value = float(m["num"].replace(",", ""))
    high = float(m["high"].replace(",", "")) if m["high"] else None
    if high is not None and high <= value:
        return None  # "2010-11" is a year, not a range of figures
    unit = "%" if m["pct"] else (m["cur"] or "")
    return value, high, unit


def role_of(label: str) -> str:
    if _TARGET.search(label):
        return "target"
    if _BENCHMARK.search(label):
        return "benchmark"
    return "actual"


def _row_label(cells: list[str], first_figure: int) -> str:
    """The longest wordy cell before the first figure: the measure's name, not its code or lead."""
    words = [c.strip() for c in cells[:first_figure] if c.strip()]
    return max(words, key=len) if words else ""


def row_series(chunk: Chunk, focus: int | None = None) -> Series | None:
    """The series of a table row chunk, or None when it does not hold enough figures.

    `focus` is an offset into the chunk text (the start of the answer); the cell holding it is
    marked as the answer.
    """
    if chunk.kind != "table" or len(chunk.header) < MIN_POINTS + 1:
        return None
    cells = chunk.text.split("\t")
    points: list[Point] = []
    units: Counter[str] = Counter()
    first_figure: int | None = None
    offset = 0
    for i, cell in enumerate(cells):
        start, offset = offset, offset + len(cell) + 1
        header = chunk.header[i] if i < len(chunk.header) else ""
        found = figure(cell) if i > 0 and header and not _SKIP.search(header) else None
        if found is None:
            continue
        first_figure = i if first_figure is None else first_figure
        value, high, unit = found
        units[unit] += 1
        hit = focus is not None and start <= focus < start + len(cell)
        points.append(Point(header, value, cell.strip(), role_of(header), high, hit))
    if first_figure is None or sum(p.role != "target" for p in points) < MIN_POINTS:
        return None
    return Series(_row_label(cells, first_figure), units.most_common(1)[0][0], tuple(points))
