"""Sentence spans inside a text: what answers are cut from and what gets its own vector."""

from __future__ import annotations

import re
from collections.abc import Iterator

# A sentence ends at . ! ? followed by space and a capital, digit, quote or bullet; "6.1",
# "e.g. the" and "'...it was" do not end one. Lines always end one.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[A-Z0-9\"'“‘(•*-])")


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) so it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# A printed line that wrapped: long, not ending a sentence or a clause, and the next line goes
# on in lower case ("...the Regional Waste\nManagement Plan" is one sentence only when the
# next line starts lower case; a capital may begin a heading or a name list).
WRAP_MIN = 50
_ENDS_LINE = re.compile(r"[.!?:;]['\"”’)]*\s*$")
_GOES_ON = re.compile(r"^[ \t]*[a-z(£$€%&,]")


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of printed lines that is one line of prose: a line that wrapped
    joins the next; tables, list items and short lines stand alone."""
    pos, run = 0, None
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if run is not None:
            if _GOES_ON.match(line) and "\t" not in line:
                run = (run[0], end)
                if not _wraps(line):
                    yield run
                    run = None
                continue
            yield run
        run = (start, end)
        if not _wraps(line):
            yield run
            run = None
    if run is not None:
        yield run


def _printed(text: str) -> Iterator[tuple[int, int]]:
    pos = 0
    for line in text.split("\n"):
        yield pos, pos + len(line)
        pos += len(line) + 1


def _wraps(line: str) -> bool:
    return len(line.strip()) >= WRAP_MIN and "\t" not in line and not _ENDS_LINE.search(line)


def sentences(text: str, wrapped: bool = False) -> Iterator[tuple[int, int]]:
    """Spans of sentences; a line break ends one (list items, headings, names), unless
    `wrapped` and the line wrapped mid-sentence. (Answers take wrapped sentences whole;
    chunk boundaries and sentence vectors keep to printed lines.)"""
    runs = _lines(text) if wrapped else _printed(text)
    for first, last in runs:
        line = text[first:last]
        cuts = [0] + [m.end() for m in _SENTENCE_END.finditer(line)] + [len(line)]
        for a, b in zip(cuts, cuts[1:]):
            start, end = strip_span(text, first + a, first + b)
            if end - start > 1:
                yield start, end
