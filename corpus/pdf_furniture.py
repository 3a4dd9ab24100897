"""PDF page furniture (pure): printed page numbers and running headers and footers.

Works on pages as lists of lines; the lines that carried furniture are removed in place.
"""

from __future__ import annotations

import math
import re
from collections import Counter

EDGE = 3  # lines at each end of a page that may be running headers / footers
PAGE_LINE = re.compile(
    r"^(?:page\s*[|:.]?\s*)?[-–—(\[]?\s*(\d{1,4})\s*[-–—)\]]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE
)
PAGE_IN_LINE = re.compile(
    r"\bpage\s*[|:.]?\s*(\d{1,4})(?:\s*of\s*\d{1,4})?$|^page\s*[|:.]?\s*(\d{1,4})\b", re.IGNORECASE
)


def edge_lines(lines: list[str]) -> list[tuple[str, int]]:
    """(edge, index) of the first and last EDGE prose lines: where headers and footers live."""
    prose = [i for i, line in enumerate(lines) if line and "\t" not in line]
    head, tail = prose[:EDGE], prose[-EDGE:]
    return [("top", i) for i in head] + [("bottom", i) for i in tail if i not in head]


def page_number_in(line: str) -> int | None:
    match = PAGE_LINE.match(line) or (PAGE_IN_LINE.search(line) if len(line) <= 100 else None)
    return int(next(g for g in match.groups() if g)) if match else None


def page_numbers_and_strip(pages: list[list[str]]) -> list[int]:
    """Printed page numbers where consecutive pages show them consistently, else the PDF page index.

    A number counts when a neighbouring page shows one at the same offset from its index (so a
    stray "2024" or list number does not), which also follows packs whose numbering restarts.
    The lines that carried the accepted numbers are removed.
    """
    found = [number_lines(lines, p + 1) for p, lines in enumerate(pages)]
    numbers: list[int] = []
    drop: dict[int, set[int]] = {}
    for p, here in enumerate(found):
        near = set().union(*(found[q] for q in (p - 1, p + 1) if 0 <= q < len(found)))
        shared = sorted((d for d in here if d in near), key=abs)
        numbers.append(p + 1 + (shared[0] if shared else 0))
        if shared:
            drop[p] = set(here[shared[0]])
    remove_lines(pages, drop)
    return numbers


def number_lines(lines: list[str], index: int) -> dict[int, list[int]]:
    """{printed number minus page index: [edge lines showing that number]} for one page."""
    found: dict[int, list[int]] = {}
    for _, i in edge_lines(lines):
        number = page_number_in(lines[i])
        if number is not None:
            found.setdefault(number - index, []).append(i)
    return found


def remove_lines(pages: list[list[str]], drop: dict[int, set[int]]) -> None:
    for p, indexes in drop.items():
        pages[p][:] = [line for i, line in enumerate(pages[p]) if i not in indexes]


def strip_running_lines(pages: list[list[str]]) -> None:
    """Remove lines repeated at the same edge of most pages (running headers and footers)."""
    if len(pages) < 2:
        return
    seen: Counter[tuple[str, str]] = Counter()
    for lines in pages:
        seen.update({(edge, lines[i].casefold()) for edge, i in edge_lines(lines)})
    drop: dict[int, set[int]] = {}
    for p, lines in enumerate(pages):
        for edge, i in edge_lines(lines):
            if seen[(edge, lines[i].casefold())] >= running_threshold(lines[i], len(pages)):
                drop.setdefault(p, set()).add(i)
    remove_lines(pages, drop)


def running_threshold(line: str, n_pages: int) -> int:
    """Pages a line must repeat on; sentence-like lines ("Carried.") must repeat on nearly all."""
    if line.endswith((".", ",", ";")):
        return max(3, math.ceil(n_pages * 0.8))
    return max(2, math.ceil(n_pages * 0.6))
